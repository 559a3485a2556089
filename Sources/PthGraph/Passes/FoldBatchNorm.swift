/// Folds each eval-mode BatchNorm into the convolution before it (a per-output-channel scale and
/// a shifted bias on the conv); a BatchNorm with no foldable conv before it becomes a `channelAffine`.
///
/// A conv is foldable when the BatchNorm is its only consumer and its own value is neither a tap
/// nor the output (otherwise the un-normalised value would be lost). Arithmetic is in Double so
/// scale and bias round once. The weights are not touched: a conv computes `scale·(w ⋆ x) + bias`
/// in its epilogue (PyTorch's own order for conv then BatchNorm), so weights borrowed from a mapped
/// checkpoint are never copied and folding costs a few vectors per conv.
public struct FoldBatchNorm: GraphPass {
    /// `"FoldBatchNorm"`.
    public var name: String { "FoldBatchNorm" }

    /// The pass; it has no options.
    public init() {}

    /// The rewritten graph; throws `GraphError` naming a node whose inputs or shapes do not fit.
    public func apply(to graph: consuming Graph) throws -> Graph {
        var graph = graph
        let consumers = graph.consumers()
        let observed = graph.observedValues()
        // conv index → the BatchNorm node folded into it
        var foldedInto: [Int: Int] = [:]
        for (index, node) in graph.nodes.enumerated() {
            guard case .batchNorm = node.op, node.inputs.count == 1 else { continue }
            let producer = node.inputs[0]
            if case .conv2d(let conv) = graph[producer].op, conv.activation == .identity,
                graph.feedsOnly(producer, into: index, consumers: consumers, observed: observed)
            {
                foldedInto[producer.index] = index
            }
        }

        for (convIndex, bnIndex) in foldedInto {
            guard case .conv2d(var conv) = graph.nodes[convIndex].op, case .batchNorm(let bn) = graph.nodes[bnIndex].op else { continue }
            try Self.fold(bn, into: &conv, name: graph.nodes[bnIndex].name)
            graph.nodes[convIndex].op = .conv2d(conv)
        }

        var rewrite = GraphRewrite(graph)
        for (index, node) in graph.nodes.enumerated() {
            let value = ValueID(index)
            switch node.op {
            case .batchNorm(let bn):
                guard node.inputs.count == 1 else {
                    throw GraphError(node: node.name, "batchNorm takes 1 input, given \(node.inputs.count)")
                }
                if foldedInto[node.inputs[0].index] == index {
                    rewrite.absorb(value, into: node.inputs[0])
                } else {
                    let (scale, shift) = try Self.affine(bn, name: node.name)
                    rewrite.emit(value, op: .channelAffine(scale: scale.map(Float.init), shift: shift.map(Float.init), activation: .identity))
                }
            default:
                rewrite.emit(value)
            }
        }
        return rewrite.finish()
    }

    /// `y = x * scale + shift` per channel, equal to eval-mode BatchNorm.
    static func affine(_ bn: BatchNorm, name: String) throws -> (scale: [Double], shift: [Double]) {
        let channels = bn.weight.count
        for (label, constant) in [("bias", bn.bias), ("running_mean", bn.runningMean), ("running_var", bn.runningVar)]
        where constant.count != channels {
            throw GraphError(node: name, "batchNorm \(label) has \(constant.count) values, weight has \(channels)")
        }
        let weight = bn.weight.values, bias = bn.bias.values, mean = bn.runningMean.values, variance = bn.runningVar.values
        var scale = [Double](repeating: 0, count: channels)
        var shift = [Double](repeating: 0, count: channels)
        for c in 0..<channels {
            scale[c] = Double(weight[c]) / (Double(variance[c]) + Double(bn.eps)).squareRoot()
            shift[c] = Double(bias[c]) - Double(mean[c]) * scale[c]
        }
        return (scale, shift)
    }

    /// Folds the BatchNorm into `conv`'s output scale and bias; the weights stay as they are.
    static func fold(_ bn: BatchNorm, into conv: inout Conv2d, name: String) throws {
        let (scale, shift) = try affine(bn, name: name)
        let outChannels = conv.outChannels
        guard scale.count == outChannels else {
            throw GraphError(node: name, "batchNorm has \(scale.count) channels, the conv before it has \(outChannels)")
        }
        let oldBias = conv.bias?.values, oldScale = conv.outputScale?.values
        var bias = [Float](repeating: 0, count: outChannels), outputScale = bias
        for o in 0..<outChannels {
            bias[o] = Float(Double(oldBias?[o] ?? 0) * scale[o] + shift[o])
            outputScale[o] = Float(Double(oldScale?[o] ?? 1) * scale[o])
        }
        conv.bias = Constant(shape: [outChannels], values: bias)
        conv.outputScale = Constant(shape: [outChannels], values: outputScale)
    }
}
