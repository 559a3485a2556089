import PthGraph

extension Architecture {
    /// torchvision `mobilenet_v3_large` (`torchvision.models.mobilenetv3`, width 1.0).
    public static let mobilenetV3Large = mobileNetV3(
        name: "mobilenet_v3_large",
        blocks: [
            .init(16, 3, 16, 16, false, .relu, 1), .init(16, 3, 64, 24, false, .relu, 2), .init(24, 3, 72, 24, false, .relu, 1),
            .init(24, 5, 72, 40, true, .relu, 2), .init(40, 5, 120, 40, true, .relu, 1), .init(40, 5, 120, 40, true, .relu, 1),
            .init(40, 3, 240, 80, false, .hardswish, 2), .init(80, 3, 200, 80, false, .hardswish, 1),
            .init(80, 3, 184, 80, false, .hardswish, 1), .init(80, 3, 184, 80, false, .hardswish, 1),
            .init(80, 3, 480, 112, true, .hardswish, 1), .init(112, 3, 672, 112, true, .hardswish, 1),
            .init(112, 5, 672, 160, true, .hardswish, 2), .init(160, 5, 960, 160, true, .hardswish, 1),
            .init(160, 5, 960, 160, true, .hardswish, 1),
        ], lastChannels: 1280)

    /// torchvision `mobilenet_v3_small`.
    public static let mobilenetV3Small = mobileNetV3(
        name: "mobilenet_v3_small",
        blocks: [
            .init(16, 3, 16, 16, true, .relu, 2), .init(16, 3, 72, 24, false, .relu, 2), .init(24, 3, 88, 24, false, .relu, 1),
            .init(24, 5, 96, 40, true, .hardswish, 2), .init(40, 5, 240, 40, true, .hardswish, 1), .init(40, 5, 240, 40, true, .hardswish, 1),
            .init(40, 5, 120, 48, true, .hardswish, 1), .init(48, 5, 144, 48, true, .hardswish, 1),
            .init(48, 5, 288, 96, true, .hardswish, 2), .init(96, 5, 576, 96, true, .hardswish, 1), .init(96, 5, 576, 96, true, .hardswish, 1),
        ], lastChannels: 1024)

    /// One row of torchvision's `InvertedResidualConfig` (dilation 1, width 1.0).
    public struct MobileNetV3Block: Sendable {
        let inChannels: Int, kernel: Int, expanded: Int, outChannels: Int, squeezeExcite: Bool, activation: Activation, stride: Int

        init(
            _ inChannels: Int, _ kernel: Int, _ expanded: Int, _ outChannels: Int, _ squeezeExcite: Bool,
            _ activation: Activation, _ stride: Int
        ) {
            self.inChannels = inChannels; self.kernel = kernel; self.expanded = expanded; self.outChannels = outChannels
            self.squeezeExcite = squeezeExcite; self.activation = activation; self.stride = stride
        }
    }

    /// A torchvision MobileNetV3: hardswish stem `features.0`, the `blocks` as `features.1…`, a 1×1 head
    /// conv to 6× the last block's channels, then `classifier.0` → hardswish → `classifier.3`.
    /// BatchNorm eps is 0.001 throughout, as torchvision builds it.
    static func mobileNetV3(name: String, blocks: [MobileNetV3Block], lastChannels: Int) -> Architecture {
        Architecture(name: name, inputSize: 224) { b in
            let (input, imageChannels) = try b.imageInput(stem: "features.0.0", channels: 3)
            var x = try b.convNormActivation(
                conv: "features.0.0", norm: "features.0.1", input, in: imageChannels, out: blocks[0].inChannels,
                kernel: .square(3), stride: .square(2), padding: Padding2d(1, 1), eps: 0.001,
                activation: .hardswish, activationName: "features.0.2")
            b.tap(x, as: "features.0")
            for (index, block) in blocks.enumerated() {
                x = try invertedResidual(&b, "features.\(index + 1)", x, block)
                b.tap(x, as: "features.\(index + 1)")
            }
            let head = "features.\(blocks.count + 1)"
            let last = blocks[blocks.count - 1].outChannels
            x = try b.convNormActivation(
                conv: "\(head).0", norm: "\(head).1", x, in: last, out: 6 * last, kernel: .square(1), eps: 0.001,
                activation: .hardswish, activationName: "\(head).2")
            b.tap(x, as: head)
            x = b.globalAvgPool(x, name: "avgpool")
            x = b.flatten(x, name: "flatten")
            x = try b.linear("classifier.0", x, in: 6 * last, out: lastChannels)
            x = b.activation(.hardswish, x, name: "classifier.1")
            return try b.classifier("classifier.3", x, in: lastChannels)
        }
    }

    /// MobileNetV3's `InvertedResidual`: `block.N` numbered as appended — 1×1 expansion (when widened),
    /// depthwise k×k, squeeze-and-excitation (ReLU, hardsigmoid gate, squeeze to ⌈expanded/4⌉₈), linear 1×1 projection.
    private static func invertedResidual(_ b: inout ModuleBuilder, _ name: String, _ x: ValueID, _ c: MobileNetV3Block) throws -> ValueID {
        var y = x
        var index = 0
        if c.expanded != c.inChannels {
            y = try b.convNormActivation(
                conv: "\(name).block.0.0", norm: "\(name).block.0.1", y, in: c.inChannels, out: c.expanded,
                kernel: .square(1), eps: 0.001, activation: c.activation, activationName: "\(name).block.0.2")
            index += 1
        }
        let depthwise = "\(name).block.\(index)"
        y = try b.convNormActivation(
            conv: "\(depthwise).0", norm: "\(depthwise).1", y, in: c.expanded, out: c.expanded,
            kernel: .square(c.kernel), stride: .square(c.stride), padding: Padding2d((c.kernel - 1) / 2, (c.kernel - 1) / 2),
            groups: c.expanded, eps: 0.001, activation: c.activation, activationName: "\(depthwise).2")
        index += 1
        if c.squeezeExcite {
            y = try b.squeezeExcitation(
                "\(name).block.\(index)", y, channels: c.expanded, squeeze: makeDivisible(Double(c.expanded / 4)),
                activation: .relu, gate: .hardsigmoid)
            index += 1
        }
        let project = "\(name).block.\(index)"
        y = try b.convNormActivation(
            conv: "\(project).0", norm: "\(project).1", y, in: c.expanded, out: c.outChannels,
            kernel: .square(1), eps: 0.001, activation: .identity)
        return c.stride == 1 && c.inChannels == c.outChannels ? b.add(y, x, name: name) : y
    }
}
