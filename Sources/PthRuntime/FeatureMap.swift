/// A dense Float32 tensor in C order, as handed to and returned by an `ExecutionPlan`
/// (NCHW feature maps, `[N, classes]` logits).
public struct FeatureMap: Sendable, Equatable {
    /// Dimensions, outermost first (`[N, C, H, W]` or `[N, classes]`).
    public var shape: [Int]
    /// The values in C order, as many as the product of `shape`.
    public var values: [Float]

    /// A tensor of `shape` holding `values` in C order.
    public init(shape: [Int], values: [Float]) {
        self.shape = shape; self.values = values
    }
}

/// What one run of an `ExecutionPlan` produces.
public struct ExecutionResult: Sendable {
    /// The graph's output value.
    public var output: FeatureMap
    /// The requested taps, by name.
    public var taps: [String: FeatureMap]
}
