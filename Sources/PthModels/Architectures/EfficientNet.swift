import PthGraph

extension Architecture {
    /// torchvision `efficientnet_b0`.
    public static let efficientnetB0 = efficientNet(name: "efficientnet_b0", widthMultiplier: 1.0, depthMultiplier: 1.0, inputSize: 224)
    /// torchvision `efficientnet_b1`; B1…B7 take `(width, depth, crop)` from torchvision's compound scaling table.
    public static let efficientnetB1 = efficientNet(name: "efficientnet_b1", widthMultiplier: 1.0, depthMultiplier: 1.1, inputSize: 240)
    /// torchvision `efficientnet_b2`.
    public static let efficientnetB2 = efficientNet(name: "efficientnet_b2", widthMultiplier: 1.1, depthMultiplier: 1.2, inputSize: 288)
    /// torchvision `efficientnet_b3`.
    public static let efficientnetB3 = efficientNet(name: "efficientnet_b3", widthMultiplier: 1.2, depthMultiplier: 1.4, inputSize: 300)
    /// torchvision `efficientnet_b4`.
    public static let efficientnetB4 = efficientNet(name: "efficientnet_b4", widthMultiplier: 1.4, depthMultiplier: 1.8, inputSize: 380)
    /// torchvision `efficientnet_b5`; B5…B7 normalise with BatchNorm eps 0.001 (their weights were ported from
    /// TensorFlow), B0…B4 with PyTorch's default 1e-5.
    public static let efficientnetB5 = efficientNet(
        name: "efficientnet_b5", widthMultiplier: 1.6, depthMultiplier: 2.2, inputSize: 456,
        batchNormEps: 1e-3)
    /// torchvision `efficientnet_b6`.
    public static let efficientnetB6 = efficientNet(
        name: "efficientnet_b6", widthMultiplier: 1.8, depthMultiplier: 2.6, inputSize: 528,
        batchNormEps: 1e-3)
    /// torchvision `efficientnet_b7`.
    public static let efficientnetB7 = efficientNet(
        name: "efficientnet_b7", widthMultiplier: 2.0, depthMultiplier: 3.1, inputSize: 600,
        batchNormEps: 1e-3)

    /// A torchvision EfficientNet-B* (`torchvision.models.efficientnet`): the B0 stage table scaled by
    /// `widthMultiplier` (channels, rounded to multiples of 8) and `depthMultiplier` (blocks, rounded up).
    /// `features.0` is the stem, `features.1…7` the MBConv stages, `features.8` the head conv; every
    /// BatchNorm uses `batchNormEps`. Stochastic depth and dropout are identities in eval mode and are not built.
    public static func efficientNet(
        name: String, widthMultiplier: Double, depthMultiplier: Double, inputSize: Int,
        batchNormEps eps: Float = 1e-5
    ) -> Architecture {
        Architecture(name: name, inputSize: inputSize) { b in
            let channels = { (c: Int) in makeDivisible(Double(c) * widthMultiplier) }
            let stem = channels(baseStages[0].inChannels)
            let (input, imageChannels) = try b.imageInput(stem: "features.0.0", channels: 3)
            var x = try b.convNormActivation(
                conv: "features.0.0", norm: "features.0.1", input, in: imageChannels, out: stem, kernel: .square(3),
                stride: .square(2), padding: Padding2d(1, 1), eps: eps, activation: .silu,
                activationName: "features.0.2")
            b.tap(x, as: "features.0")
            var inChannels = stem
            for (index, stage) in baseStages.enumerated() {
                let outChannels = channels(stage.outChannels)
                let blocks = Int((Double(stage.blocks) * depthMultiplier).rounded(.up))
                for block in 0..<blocks {
                    x = try mbConv(
                        &b, "features.\(index + 1).\(block)", x, in: inChannels, out: outChannels,
                        expandRatio: stage.expandRatio, kernel: stage.kernel, stride: block == 0 ? stage.stride : 1,
                        eps: eps)
                    inChannels = outChannels
                }
                b.tap(x, as: "features.\(index + 1)")
            }
            let head = "features.\(baseStages.count + 1)"
            let headChannels = 4 * inChannels
            x = try b.convNormActivation(
                conv: "\(head).0", norm: "\(head).1", x, in: inChannels, out: headChannels, kernel: .square(1),
                eps: eps, activation: .silu, activationName: "\(head).2")
            b.tap(x, as: head)
            x = b.globalAvgPool(x, name: "avgpool")
            x = b.flatten(x, name: "flatten")
            return try b.classifier("classifier.1", x, in: headChannels)
        }
    }

    /// One row of torchvision's B0 table: `MBConvConfig(expand_ratio, kernel, stride, input_channels, out_channels, num_layers)`.
    struct Stage {
        let expandRatio: Int, kernel: Int, stride: Int, inChannels: Int, outChannels: Int, blocks: Int
    }

    static let baseStages = [
        Stage(expandRatio: 1, kernel: 3, stride: 1, inChannels: 32, outChannels: 16, blocks: 1),
        Stage(expandRatio: 6, kernel: 3, stride: 2, inChannels: 16, outChannels: 24, blocks: 2),
        Stage(expandRatio: 6, kernel: 5, stride: 2, inChannels: 24, outChannels: 40, blocks: 2),
        Stage(expandRatio: 6, kernel: 3, stride: 2, inChannels: 40, outChannels: 80, blocks: 3),
        Stage(expandRatio: 6, kernel: 5, stride: 1, inChannels: 80, outChannels: 112, blocks: 3),
        Stage(expandRatio: 6, kernel: 5, stride: 2, inChannels: 112, outChannels: 192, blocks: 4),
        Stage(expandRatio: 6, kernel: 3, stride: 1, inChannels: 192, outChannels: 320, blocks: 1),
    ]

    /// torchvision's `_make_divisible(v, 8)`: round to the nearest multiple of 8, never below 8 nor
    /// more than 10% under `v`.
    static func makeDivisible(_ value: Double, divisor: Int = 8) -> Int {
        var rounded = max(divisor, Int(value + Double(divisor) / 2) / divisor * divisor)
        if Double(rounded) < 0.9 * value { rounded += divisor }
        return rounded
    }

    /// `MBConv`: optional 1×1 expansion, depthwise k×k, squeeze-and-excitation, 1×1 projection, and the
    /// residual when shape allows. Block modules are numbered in `block.N` as torchvision appends them.
    private static func mbConv(
        _ b: inout ModuleBuilder, _ name: String, _ x: ValueID, in inChannels: Int, out outChannels: Int,
        expandRatio: Int, kernel: Int, stride: Int, eps: Float
    ) throws -> ValueID {
        let expanded = makeDivisible(Double(inChannels * expandRatio))
        var index = 0
        var y = x
        if expanded != inChannels {
            y = try b.convNormActivation(
                conv: "\(name).block.0.0", norm: "\(name).block.0.1", y, in: inChannels, out: expanded,
                kernel: .square(1), eps: eps, activation: .silu, activationName: "\(name).block.0.2")
            index += 1
        }
        let depthwise = "\(name).block.\(index)"
        y = try b.convNormActivation(
            conv: "\(depthwise).0", norm: "\(depthwise).1", y, in: expanded, out: expanded, kernel: .square(kernel),
            stride: .square(stride), padding: Padding2d((kernel - 1) / 2, (kernel - 1) / 2), groups: expanded,
            eps: eps, activation: .silu, activationName: "\(depthwise).2")
        y = try b.squeezeExcitation(
            "\(name).block.\(index + 1)", y, channels: expanded, squeeze: max(1, inChannels / 4),
            activation: .silu, gate: .sigmoid)
        let project = "\(name).block.\(index + 2)"
        y = try b.convNormActivation(
            conv: "\(project).0", norm: "\(project).1", y, in: expanded, out: outChannels,
            kernel: .square(1), eps: eps, activation: .identity)
        return stride == 1 && inChannels == outChannels ? b.add(y, x, name: name) : y
    }
}
