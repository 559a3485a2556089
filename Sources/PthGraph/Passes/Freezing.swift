/// The passes that turn a graph as built (mirroring torchvision's eval-mode modules) into the
/// graph the runtime executes.
public enum Freezing {
    /// The standard pipeline, in order: `DropDropout`, `FoldBatchNorm` (into the preceding conv; a
    /// BatchNorm with no conv before it becomes `channelAffine`), `FuseActivation` (into conv/linear
    /// when it is the sole consumer). Outputs and taps keep their values.
    public static let passes: [any GraphPass] = [DropDropout(), FoldBatchNorm(), FuseActivation()]

    /// Runs `passes` over `graph`.
    public static func freeze(_ graph: Graph) throws -> Graph {
        try passes.reduce(graph) { try $1.apply(to: $0) }
    }
}
