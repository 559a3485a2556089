/// The passes that turn a graph as built (mirroring torchvision's eval-mode modules) into the
/// graph the runtime executes.
public enum Freezing {
    /// The standard pipeline, in order: `DropDropout`, `FoldBatchNorm` (into the preceding conv; a
    /// BatchNorm with no conv before it becomes `channelAffine`), `FuseActivation` (into conv/linear
    /// when it is the sole consumer), `FuseChannelScale` (a squeeze-excitation's scaling into the 1×1
    /// conv after it), `FuseResidualAdd` (a residual connection's add, with its activation, into the
    /// 1×1 conv before it), `FuseInputAffine` (a BatchNorm and ReLU with no conv before them into the
    /// 1×1 conv after them). Outputs and taps keep their values.
    public static let passes: [any GraphPass] = [
        DropDropout(), FoldBatchNorm(), FuseActivation(), FuseChannelScale(), FuseResidualAdd(), FuseInputAffine(),
    ]

    /// Runs `passes` over `graph`. Hand over the only reference to the built graph (let it be the
    /// caller's last use) and the weights are folded in place instead of copied.
    public static func freeze(_ graph: consuming Graph) throws -> Graph {
        var graph = graph
        for pass in passes { graph = try pass.apply(to: consume graph) }
        return graph
    }
}
