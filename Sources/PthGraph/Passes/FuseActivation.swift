/// Moves a standalone activation into the node before it — a conv or linear (applied in the kernel's
/// epilogue), a residual add, or a per-channel affine (an unfolded BatchNorm) — so it is applied while
/// the values are still in cache instead of in a pass of its own.
///
/// Fuses only when the activation is the producer's sole consumer, the producer has no activation
/// yet, and the producer's own value is neither a tap nor the output. Taps on the activation move
/// to the producer, which now computes the same values.
public struct FuseActivation: GraphPass {
    /// `"FuseActivation"`.
    public var name: String { "FuseActivation" }

    /// The pass; it has no options.
    public init() {}

    /// The rewritten graph (this pass finds nothing to reject).
    public func apply(to graph: consuming Graph) throws -> Graph {
        let graph = graph
        let consumers = graph.consumers()
        let observed = graph.observedValues()
        // producer index → activation fused into it
        var fused: [Int: Activation] = [:]
        var absorbed: Set<Int> = []
        for (index, node) in graph.nodes.enumerated() {
            guard case .activation(let activation) = node.op, node.inputs.count == 1 else { continue }
            let producer = node.inputs[0]
            guard graph.feedsOnly(producer, into: index, consumers: consumers, observed: observed) else { continue }
            switch graph[producer].op {
            case .conv2d(let conv) where conv.activation == .identity:
                fused[producer.index] = activation
            case .linear(let linear) where linear.activation == .identity:
                fused[producer.index] = activation
            case .add(.identity), .channelAffine(_, _, .identity):
                fused[producer.index] = activation
            default:
                continue
            }
            absorbed.insert(index)
        }

        var rewrite = GraphRewrite(graph)
        for (index, node) in graph.nodes.enumerated() {
            let value = ValueID(index)
            if absorbed.contains(index) {
                rewrite.absorb(value, into: node.inputs[0])
            } else if let activation = fused[index] {
                switch node.op {
                case .conv2d(var conv):
                    conv.activation = activation
                    rewrite.emit(value, op: .conv2d(conv))
                case .linear(var linear):
                    linear.activation = activation
                    rewrite.emit(value, op: .linear(linear))
                case .add:
                    rewrite.emit(value, op: .add(activation))
                case .channelAffine(let scale, let shift, _):
                    rewrite.emit(value, op: .channelAffine(scale: scale, shift: shift, activation: activation))
                default:
                    rewrite.emit(value)
                }
            } else {
                rewrite.emit(value)
            }
        }
        return rewrite.finish()
    }
}
