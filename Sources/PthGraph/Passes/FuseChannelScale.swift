/// Moves a squeeze-excitation's channel scaling into the 1×1 conv that reads it: `conv(x · s)` with
/// `s` one factor per image and channel becomes one conv node over `x` and `s`
/// (`Conv2d.scalesInputChannels`), whose kernel multiplies each input channel as it reads it, so the
/// scaled feature map is never written (EfficientNet's and MobileNetV3's projection convs).
///
/// Fuses only when the product is the conv's sole input and the conv its sole consumer, the product
/// is neither a tap nor the output, the conv is pointwise, and `s` is one pixel per channel whatever
/// the input size: it comes from a 1×1 adaptive average pool through unpadded 1×1 convs,
/// activations and per-channel affines only.
public struct FuseChannelScale: GraphPass {
    /// `"FuseChannelScale"`.
    public var name: String { "FuseChannelScale" }

    /// The pass; it has no options.
    public init() {}

    /// The rewritten graph (this pass finds nothing to reject).
    public func apply(to graph: consuming Graph) throws -> Graph {
        let graph = graph
        let consumers = graph.consumers()
        let observed = graph.observedValues()
        // conv index → the product's two inputs, feature map and factors
        var fused: [Int: [ValueID]] = [:]
        var absorbed: Set<Int> = []
        for (index, node) in graph.nodes.enumerated() {
            guard case .conv2d(let conv) = node.op, conv.isPointwise, !conv.scalesInputChannels, node.inputs.count == 1 else { continue }
            let product = node.inputs[0]
            guard case .mul = graph[product].op, graph[product].inputs.count == 2,
                graph.feedsOnly(product, into: index, consumers: consumers, observed: observed),
                graph.isOnePixelPerChannel(graph[product].inputs[1])
            else { continue }
            fused[index] = graph[product].inputs
            absorbed.insert(product.index)
        }

        var rewrite = GraphRewrite(graph)
        for (index, node) in graph.nodes.enumerated() {
            let value = ValueID(index)
            if absorbed.contains(index) {
                // Only the conv read the product, and the conv now reads the product's inputs.
                continue
            } else if let inputs = fused[index], case .conv2d(var conv) = node.op {
                conv.scalesInputChannels = true
                rewrite.emit(value, op: .conv2d(conv), inputs: inputs)
            } else {
                rewrite.emit(value)
            }
        }
        return rewrite.finish()
    }
}

extension Graph {
    /// Whether `value` is `[N, C, 1, 1]` for every input size: a 1×1 adaptive average pool, or such
    /// a value through unpadded 1×1 convs (any stride keeps one pixel), activations and
    /// per-channel affines.
    fileprivate func isOnePixelPerChannel(_ value: ValueID) -> Bool {
        var value = value
        while true {
            let node = self[value]
            switch node.op {
            case .adaptiveAvgPool(let size):
                return size == .square(1)
            case .conv2d(let conv) where conv.kernel == .square(1) && conv.padding == .zero && !conv.scalesInputChannels:
                value = node.inputs[0]
            case .activation, .channelAffine:
                value = node.inputs[0]
            default:
                return false
            }
        }
    }
}
