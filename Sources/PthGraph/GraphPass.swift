/// One named rewrite of a graph into an equivalent one (tract's "declutter"/"codegen" steps).
///
/// A pass must keep `output` and every entry of `taps` pointing at the value that computes
/// the same numbers as before (a tap on a ReLU fused into its conv moves to the conv).
public protocol GraphPass: Sendable {
    /// What the pass does, for logs and errors (`FoldBatchNorm`).
    var name: String { get }
    /// The graph is consumed so a pass may rewrite its weights in place when the caller hands
    /// over the only reference (freezing then never holds two copies of the weights).
    func apply(to graph: consuming Graph) throws -> Graph
}
