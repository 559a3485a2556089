/// Float32 values a kernel reads for its whole life: an array of its own, or memory another object
/// keeps alive (a checkpoint's mapped STORED entry), read in place so loading copies no weight.
public struct KernelWeights: @unchecked Sendable {
    private let array: [Float]
    private let borrowed: UnsafeBufferPointer<Float>?
    private let owner: AnyObject?

    /// Weights held in the kernel's own array.
    public init(_ values: [Float]) {
        array = values
        borrowed = nil
        owner = nil
    }

    /// Weights read from `buffer`, which `owner` keeps valid and unchanged.
    public init(borrowing buffer: UnsafeBufferPointer<Float>, owner: AnyObject) {
        array = []
        borrowed = buffer
        self.owner = owner
    }

    public var count: Int { borrowed?.count ?? array.count }

    /// The same values in an array of the kernel's own (no copy when they already are).
    public func owned() -> KernelWeights {
        guard let borrowed else { return self }
        return KernelWeights(Array(borrowed))
    }

    /// Calls `body` with the values in place.
    @inline(__always)
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        if let borrowed { return try body(borrowed) }
        return try array.withUnsafeBufferPointer(body)
    }
}
