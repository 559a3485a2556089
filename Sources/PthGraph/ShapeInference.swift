/// Output sizes of windowed ops, with PyTorch's rounding rules.
public enum WindowArithmetic {
    /// Output length of a convolution along one axis: `⌊(in + padBefore + padAfter − dilation·(k−1) − 1) / stride⌋ + 1`.
    public static func convolutionOutput(input: Int, kernel: Int, stride: Int, padBefore: Int, padAfter: Int, dilation: Int) -> Int {
        let span = input + padBefore + padAfter - dilation * (kernel - 1) - 1
        return span < 0 ? 0 : span / stride + 1
    }

    /// Output length of max/avg pooling along one axis. In ceil mode PyTorch rounds up but drops
    /// the last window when it would start past the input and the leading padding.
    public static func poolOutput(input: Int, kernel: Int, stride: Int, padBefore: Int, padAfter: Int, ceilMode: Bool) -> Int {
        let span = input + padBefore + padAfter - kernel
        if span < 0 { return 0 }
        var output = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1
        if ceilMode && (output - 1) * stride >= input + padBefore { output -= 1 }
        return output
    }
}

extension Graph {
    /// The shape of every value for an input of shape `[N, C, H, W]`, indexed like `nodes`.
    ///
    /// Throws a `GraphError` naming the first node whose inputs do not fit it.
    public func shapes(forInput input: [Int]) throws -> [[Int]] {
        var shapes: [[Int]] = []
        shapes.reserveCapacity(nodes.count)
        for node in nodes {
            let inputs = node.inputs.map { shapes[$0.index] }
            shapes.append(try Self.outputShape(of: node, inputs: inputs, graphInput: input))
        }
        return shapes
    }

    private static func outputShape(of node: Node, inputs: [[Int]], graphInput: [Int]) throws -> [Int] {
        func fail(_ message: String) -> GraphError { GraphError(node: node.name, message) }
        func expectInputs(_ count: Int) throws {
            guard inputs.count == count else { throw fail("takes \(count) input(s), given \(inputs.count)") }
        }
        func featureMap(inputs count: Int = 1) throws -> (n: Int, c: Int, h: Int, w: Int) {
            try expectInputs(count)
            let s = inputs[0]
            guard s.count == 4 else { throw fail("expects an [N, C, H, W] feature map, given \(s)") }
            return (s[0], s[1], s[2], s[3])
        }

        switch node.op {
        case .input(let channels):
            guard graphInput.count == 4, graphInput[1] == channels, graphInput[0] >= 1, graphInput[2] >= 1, graphInput[3] >= 1 else {
                throw fail("input must be [N, \(channels), H, W] with N, H, W ≥ 1, given \(graphInput)")
            }
            return graphInput

        case .conv2d(let conv):
            let x = try featureMap(inputs: 1 + (conv.scalesInputChannels ? 1 : 0) + (conv.addsResidual ? 1 : 0))
            guard conv.weight.shape.count == 4, conv.groups >= 1, conv.outChannels % conv.groups == 0 else {
                throw fail("conv weight \(conv.weight.shape) does not split into \(conv.groups) groups")
            }
            guard x.c == conv.inChannels else {
                throw fail("conv expects \(conv.inChannels) input channels, given \(x.c)")
            }
            if let bias = conv.bias, bias.count != conv.outChannels {
                throw fail("conv bias has \(bias.count) values for \(conv.outChannels) output channels")
            }
            if let scale = conv.outputScale, scale.count != conv.outChannels {
                throw fail("conv output scale has \(scale.count) values for \(conv.outChannels) output channels")
            }
            if let affine = conv.inputAffine {
                guard conv.isPointwise else { throw fail("conv has an input affine but is not a 1×1, stride 1, unpadded, ungrouped conv") }
                guard affine.scale.count == x.c, affine.shift.count == x.c else {
                    throw fail("conv input affine has \(affine.scale.count) scales and \(affine.shift.count) shifts for \(x.c) channels")
                }
                guard affine.activation == .identity || affine.activation == .relu else {
                    throw fail("conv input affine's activation must be identity or relu, given \(affine.activation)")
                }
            }
            if conv.scalesInputChannels {
                guard conv.isPointwise else { throw fail("conv scales its input channels but is not a 1×1, stride 1, unpadded, ungrouped conv") }
                guard inputs[1] == [x.n, x.c, 1, 1] else { throw fail("conv input channel scale must be [\(x.n), \(x.c), 1, 1], given \(inputs[1])") }
            }
            let h = WindowArithmetic.convolutionOutput(
                input: x.h, kernel: conv.kernel.height, stride: conv.stride.height,
                padBefore: conv.padding.top, padAfter: conv.padding.bottom, dilation: conv.dilation.height)
            let w = WindowArithmetic.convolutionOutput(
                input: x.w, kernel: conv.kernel.width, stride: conv.stride.width,
                padBefore: conv.padding.left, padAfter: conv.padding.right, dilation: conv.dilation.width)
            guard h >= 1, w >= 1 else { throw fail("conv kernel \(conv.kernel.height)×\(conv.kernel.width) does not fit a \(x.h)×\(x.w) input") }
            if conv.addsResidual, let residual = inputs.last, residual != [x.n, conv.outChannels, h, w] {
                throw fail("conv residual must be its output's shape \([x.n, conv.outChannels, h, w]), given \(residual)")
            }
            return [x.n, conv.outChannels, h, w]

        case .batchNorm(let bn):
            let x = try featureMap()
            guard x.c == bn.weight.count else { throw fail("batchNorm has \(bn.weight.count) channels, given \(x.c)") }
            return inputs[0]

        case .channelAffine(let scale, let shift, _):
            try expectInputs(1)
            guard inputs[0].count >= 2, inputs[0][1] == scale.count, shift.count == scale.count else {
                throw fail("channelAffine has \(scale.count) scales and \(shift.count) shifts, given \(inputs[0])")
            }
            return inputs[0]

        case .activation, .dropout:
            try expectInputs(1)
            return inputs[0]

        case .add:
            try expectInputs(2)
            guard inputs[0] == inputs[1] else { throw fail("add of different shapes \(inputs[0]) and \(inputs[1])") }
            return inputs[0]

        case .mul:
            try expectInputs(2)
            let (a, b) = (inputs[0], inputs[1])
            let broadcast = a.count == 4 && b == [a[0], a[1], 1, 1]
            guard a == b || broadcast else { throw fail("mul of \(a) by \(b): second must match or be [N, C, 1, 1]") }
            return a

        case .concat:
            guard let first = inputs.first else { throw fail("concat of no inputs") }
            guard first.count == 4 else { throw fail("concat expects [N, C, H, W] inputs, given \(first)") }
            var channels = 0
            for s in inputs {
                guard s.count == 4, s[0] == first[0], s[2] == first[2], s[3] == first[3] else {
                    throw fail("concat of \(first) and \(s): batch and spatial sizes differ")
                }
                channels += s[1]
            }
            return [first[0], channels, first[2], first[3]]

        case .maxPool(let pool), .avgPool(let pool):
            let x = try featureMap()
            guard pool.kernel.height >= 1, pool.kernel.width >= 1, pool.stride.height >= 1, pool.stride.width >= 1 else {
                throw fail("pool kernel and stride must be ≥ 1")
            }
            let h = WindowArithmetic.poolOutput(
                input: x.h, kernel: pool.kernel.height, stride: pool.stride.height,
                padBefore: pool.padding.top, padAfter: pool.padding.bottom, ceilMode: pool.ceilMode)
            let w = WindowArithmetic.poolOutput(
                input: x.w, kernel: pool.kernel.width, stride: pool.stride.width,
                padBefore: pool.padding.left, padAfter: pool.padding.right, ceilMode: pool.ceilMode)
            guard h >= 1, w >= 1 else { throw fail("pool window \(pool.kernel.height)×\(pool.kernel.width) does not fit a \(x.h)×\(x.w) input") }
            return [x.n, x.c, h, w]

        case .adaptiveAvgPool(let size):
            let x = try featureMap()
            guard size.height >= 1, size.width >= 1 else { throw fail("adaptive pool size must be ≥ 1") }
            return [x.n, x.c, size.height, size.width]

        case .linear(let linear):
            try expectInputs(1)
            let s = inputs[0]
            guard linear.weight.shape.count == 2 else { throw fail("linear weight must be [out, in], given \(linear.weight.shape)") }
            guard s.count == 2, s[1] == linear.weight.shape[1] else {
                throw fail("linear expects [N, \(linear.weight.shape[1])], given \(s)")
            }
            if let bias = linear.bias, bias.count != linear.weight.shape[0] {
                throw fail("linear bias has \(bias.count) values for \(linear.weight.shape[0]) outputs")
            }
            return [s[0], linear.weight.shape[0]]

        case .flatten:
            try expectInputs(1)
            guard inputs[0].count >= 2 else { throw fail("flatten expects rank ≥ 2, given \(inputs[0])") }
            return [inputs[0][0], inputs[0].dropFirst().reduce(1, *)]

        case .pad(let p):
            let x = try featureMap()
            let h = x.h + p.top + p.bottom, w = x.w + p.left + p.right
            guard min(p.top, p.bottom, p.left, p.right) >= 0, h >= 1, w >= 1 else { throw fail("pad \(p) must be non-negative") }
            return [x.n, x.c, h, w]
        }
    }
}
