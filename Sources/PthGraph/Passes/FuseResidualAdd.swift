/// Moves a residual connection's add (and the activation fused into it) into the 1×1 conv that
/// produces one of its inputs: `activation(conv(x) + r)` becomes one conv node over `x` and `r`
/// (`Conv2d.addsResidual`), whose kernel adds `r` and applies the activation as it stores each
/// output, so the conv's own output is never written and read back (ResNet's bottleneck ends,
/// MobileNet's and EfficientNet's projections). The sums are those of the add: `y + r` rounded once,
/// then the activation.
///
/// Fuses only when the conv is 1×1 (never Winograd's path), ungrouped, has no activation of its own
/// and no residual yet, the add is its sole consumer and it is neither a tap nor the output, and the
/// other input is computed before the conv (so it exists when the conv runs). When both inputs
/// qualify, the later conv takes the add: ResNet's downsampling block adds its projected shortcut,
/// computed after the main branch.
public struct FuseResidualAdd: GraphPass {
    /// `"FuseResidualAdd"`.
    public var name: String { "FuseResidualAdd" }

    /// The pass; it has no options.
    public init() {}

    /// The rewritten graph (this pass finds nothing to reject).
    public func apply(to graph: consuming Graph) throws -> Graph {
        let graph = graph
        let consumers = graph.consumers()
        let observed = graph.observedValues()
        // conv index → (the add's activation, the residual)
        var fused: [Int: (activation: Activation, residual: ValueID)] = [:]
        var absorbed: [Int: ValueID] = [:]
        for (index, node) in graph.nodes.enumerated() {
            guard case .add(let activation) = node.op, node.inputs.count == 2 else { continue }
            let hosts = [(node.inputs[0], node.inputs[1]), (node.inputs[1], node.inputs[0])].filter { conv, residual in
                guard case .conv2d(let c) = graph[conv].op, c.kernel == .square(1), c.groups == 1,
                    c.activation == .identity, !c.addsResidual, fused[conv.index] == nil
                else { return false }
                return residual.index < conv.index && graph.feedsOnly(conv, into: index, consumers: consumers, observed: observed)
            }
            guard let (conv, residual) = hosts.max(by: { $0.0.index < $1.0.index }) else { continue }
            fused[conv.index] = (activation, residual)
            absorbed[index] = conv
        }

        var rewrite = GraphRewrite(graph)
        for (index, node) in graph.nodes.enumerated() {
            let value = ValueID(index)
            if let conv = absorbed[index] {
                // The conv now computes the add's values.
                rewrite.absorb(value, into: conv)
            } else if let (activation, residual) = fused[index], case .conv2d(var conv) = node.op {
                conv.activation = activation
                conv.addsResidual = true
                rewrite.emit(value, op: .conv2d(conv), inputs: node.inputs + [residual])
            } else {
                rewrite.emit(value)
            }
        }
        return rewrite.finish()
    }
}
