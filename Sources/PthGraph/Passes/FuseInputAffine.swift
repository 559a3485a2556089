/// Moves a per-channel affine map and the ReLU after it (a BatchNorm that no conv precedes, see
/// `FoldBatchNorm`) into the 1×1 conv that reads it: `conv(relu(scale·x + shift))` becomes one conv
/// node over `x` (`Conv2d.inputAffine`), whose kernel transforms each input value as it packs it, so
/// the normalised feature map is never written and read back (DenseNet's `norm1`/`relu1` before
/// every dense layer's `conv1`, and its transitions').
///
/// Fuses only when the map's activation is the identity or ReLU, the conv is pointwise (1×1, stride
/// 1, unpadded, one group) with no input affine or input scale yet, the conv is the map's sole
/// consumer, reads it as its first input, and the map is neither a tap nor the output.
public struct FuseInputAffine: GraphPass {
    /// `"FuseInputAffine"`.
    public var name: String { "FuseInputAffine" }

    /// The pass; it has no options.
    public init() {}

    /// The rewritten graph (this pass finds nothing to reject).
    public func apply(to graph: consuming Graph) throws -> Graph {
        let graph = graph
        let consumers = graph.consumers()
        let observed = graph.observedValues()
        // conv index → the map it takes over
        var fused: [Int: Int] = [:]
        for (index, node) in graph.nodes.enumerated() {
            guard case .conv2d(let conv) = node.op, conv.isPointwise, conv.inputAffine == nil, !conv.scalesInputChannels,
                let map = node.inputs.first,
                case .channelAffine(_, _, let activation) = graph[map].op, activation == .identity || activation == .relu,
                graph.feedsOnly(map, into: index, consumers: consumers, observed: observed)
            else { continue }
            fused[index] = map.index
        }
        let absorbed = Set(fused.values)

        var rewrite = GraphRewrite(graph)
        for (index, node) in graph.nodes.enumerated() {
            let value = ValueID(index)
            if absorbed.contains(index) {
                // Only the conv read the map, and the conv now reads the map's input.
                continue
            } else if let map = fused[index], case .conv2d(var conv) = node.op,
                case .channelAffine(let scale, let shift, let activation) = graph.nodes[map].op
            {
                conv.inputAffine = Conv2d.InputAffine(scale: scale, shift: shift, activation: activation)
                rewrite.emit(value, op: .conv2d(conv), inputs: [graph.nodes[map].inputs[0]] + node.inputs.dropFirst())
            } else {
                rewrite.emit(value)
            }
        }
        return rewrite.finish()
    }
}
