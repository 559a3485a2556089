/// A frozen Float32 tensor owned by the graph: a weight, a bias, BatchNorm statistics.
public struct Constant: Sendable, Equatable {
    /// Dimensions, PyTorch order (conv weight: `[out, in / groups, kh, kw]`).
    public var shape: [Int]
    /// Values in C-contiguous order.
    public var values: [Float]

    public init(shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "constant of shape \(shape) given \(values.count) values")
        self.shape = shape
        self.values = values
    }
}
