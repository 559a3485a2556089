import PthFoundation

/// Float32 values a kernel reads for its whole life: an array of its own, or memory it borrows
/// (`OwnedMemory`, which keeps it alive: a checkpoint's mapped STORED entry), read in place so
/// loading copies no weight.
public struct KernelWeights: Sendable {
    private let array: [Float]
    private let borrowed: OwnedMemory?

    /// Weights held in the kernel's own array.
    public init(_ values: [Float]) {
        array = values
        borrowed = nil
    }

    /// Weights read in place from `memory`.
    public init(borrowing memory: OwnedMemory) {
        array = []
        borrowed = memory
    }

    /// Number of weights.
    public var count: Int { borrowed?.buffer(of: Float.self).count ?? array.count }

    /// The same values in an array of the kernel's own (no copy when they already are).
    public func owned() -> KernelWeights {
        guard let borrowed else { return self }
        return KernelWeights(Array(borrowed.buffer(of: Float.self)))
    }

    /// Calls `body` with the values in place.
    @inline(__always)
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        if let borrowed { return try withExtendedLifetime(borrowed) { try body(borrowed.buffer(of: Float.self)) } }
        return try array.withUnsafeBufferPointer(body)
    }
}
