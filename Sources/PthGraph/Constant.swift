import PthFoundation

/// A frozen Float32 tensor owned by the graph: a weight, a bias, BatchNorm statistics.
///
/// The values are either the constant's own array or Float32 memory it borrows (`OwnedMemory`, which
/// keeps it alive) — a checkpoint's memory-mapped STORED entry — so building a network from a
/// float32 checkpoint copies no weight. Reading `values` of a borrowed constant copies it out;
/// kernels read `borrowed` in place instead. Assigning `values` makes the constant own them.
public struct Constant: Sendable, Equatable {
    /// Dimensions, PyTorch order (conv weight: `[out, in / groups, kh, kw]`).
    public var shape: [Int]
    private var owned: [Float]
    /// The borrowed memory, or nil when the constant owns its values.
    public private(set) var borrowed: OwnedMemory?

    /// A constant owning `values`, C-contiguous in `shape` (their count must be the shape's product).
    public init(shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "constant of shape \(shape) given \(values.count) values")
        self.shape = shape
        self.owned = values
        self.borrowed = nil
    }

    /// A constant reading `memory` in place; it stays valid while the constant (or a copy) lives.
    public init(shape: [Int], borrowing memory: OwnedMemory) {
        let count = memory.buffer(of: Float.self).count
        precondition(shape.reduce(1, *) == count, "constant of shape \(shape) given \(count) values")
        self.shape = shape
        self.owned = []
        self.borrowed = memory
    }

    /// Values in C-contiguous order.
    public var values: [Float] {
        get { borrowed.map { Array($0.buffer(of: Float.self)) } ?? owned }
        set {
            owned = newValue
            borrowed = nil
        }
    }

    /// Number of values.
    public var count: Int { borrowed?.buffer(of: Float.self).count ?? owned.count }

    /// Calls `body` with the values in place, borrowed or owned.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        if let borrowed { return try withExtendedLifetime(borrowed) { try body(borrowed.buffer(of: Float.self)) } }
        return try owned.withUnsafeBufferPointer(body)
    }

    /// Equal shapes and equal values, wherever each constant's values live.
    public static func == (a: Constant, b: Constant) -> Bool {
        a.shape == b.shape && a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in x.elementsEqual(y) } }
    }
}
