/// A frozen Float32 tensor owned by the graph: a weight, a bias, BatchNorm statistics.
///
/// The values are either the constant's own array or Float32 memory borrowed from an object that
/// keeps it alive — a checkpoint's memory-mapped STORED entry — so building a network from a
/// float32 checkpoint copies no weight. Reading `values` of a borrowed constant copies it out;
/// kernels read `borrowed` in place instead. Assigning `values` makes the constant own them.
public struct Constant: Sendable, Equatable {
    /// Dimensions, PyTorch order (conv weight: `[out, in / groups, kh, kw]`).
    public var shape: [Int]
    private var owned: [Float]
    /// The borrowed memory, or nil when the constant owns its values.
    public private(set) var borrowed: BorrowedFloats?

    public init(shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "constant of shape \(shape) given \(values.count) values")
        self.shape = shape
        self.owned = values
        self.borrowed = nil
    }

    /// A constant reading `memory` in place; it stays valid while the constant (or a copy) lives.
    public init(shape: [Int], borrowing memory: BorrowedFloats) {
        precondition(shape.reduce(1, *) == memory.buffer.count, "constant of shape \(shape) given \(memory.buffer.count) values")
        self.shape = shape
        self.owned = []
        self.borrowed = memory
    }

    /// Values in C-contiguous order.
    public var values: [Float] {
        get { borrowed.map { Array($0.buffer) } ?? owned }
        set {
            owned = newValue
            borrowed = nil
        }
    }

    /// Number of values.
    public var count: Int { borrowed?.buffer.count ?? owned.count }

    /// Calls `body` with the values in place, borrowed or owned.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        if let borrowed { return try body(borrowed.buffer) }
        return try owned.withUnsafeBufferPointer(body)
    }

    public static func == (a: Constant, b: Constant) -> Bool {
        a.shape == b.shape && a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in x.elementsEqual(y) } }
    }
}

/// Float32 values another object keeps alive (`owner`, e.g. a checkpoint's tensor storage over a
/// mapped file), shared by every constant and kernel that reads them.
public final class BorrowedFloats: @unchecked Sendable {
    /// The values; never written.
    public let buffer: UnsafeBufferPointer<Float>
    private let owner: AnyObject
    private let release: (@Sendable () -> Void)?

    /// `releasingPages`, when given, lets the owner drop the buffer's resident pages (`releaseResidentPages`).
    public init(_ buffer: UnsafeBufferPointer<Float>, owner: AnyObject, releasingPages: (@Sendable () -> Void)? = nil) {
        self.buffer = buffer
        self.owner = owner
        self.release = releasingPages
    }

    /// Lets the owner drop the memory's resident pages, when it can get them back unchanged (a mapped
    /// file's): for a reader that has made its own copy in another form. No effect otherwise.
    public func releaseResidentPages() { release?() }
}
