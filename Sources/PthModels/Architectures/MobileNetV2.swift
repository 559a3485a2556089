import PthGraph

extension Architecture {
    /// torchvision `mobilenet_v2` (`torchvision.models.mobilenetv2`, width 1.0): `features.0` stem,
    /// `features.1…17` inverted residuals, `features.18` the 1×1 head conv, ReLU6 throughout,
    /// `classifier.1` (`classifier.0` is dropout).
    public static let mobilenetV2 = Architecture(name: "mobilenet_v2", inputSize: 224) { b in
        let (input, imageChannels) = try b.imageInput(stem: "features.0.0", channels: 3)
        var x = try b.convNormActivation(
            conv: "features.0.0", norm: "features.0.1", input, in: imageChannels, out: 32, kernel: .square(3),
            stride: .square(2), padding: Padding2d(1, 1), activation: .relu6, activationName: "features.0.2")
        b.tap(x, as: "features.0")
        // torchvision's inverted_residual_setting: expansion t, channels c, repeats n, first stride s.
        let settings = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]
        var channels = 32
        var index = 1
        for (expansion, out, repeats, firstStride) in settings {
            for repeat_ in 0..<repeats {
                x = try invertedResidual(
                    &b, "features.\(index)", x, in: channels, out: out, stride: repeat_ == 0 ? firstStride : 1,
                    expansion: expansion)
                channels = out
                index += 1
            }
            b.tap(x, as: "features.\(index - 1)")
        }
        x = try b.convNormActivation(
            conv: "features.\(index).0", norm: "features.\(index).1", x, in: channels, out: 1280,
            kernel: .square(1), activation: .relu6, activationName: "features.\(index).2")
        b.tap(x, as: "features.\(index)")
        x = b.globalAvgPool(x, name: "adaptive_avg_pool2d")
        x = b.flatten(x, name: "flatten")
        return try b.classifier("classifier.1", x, in: 1280)
    }

    /// `InvertedResidual`: `conv.0` 1×1 expansion (skipped when t = 1), depthwise 3×3, then a linear 1×1
    /// projection conv and its BatchNorm as the last two `conv.N`; the residual when stride 1 keeps the channels.
    private static func invertedResidual(
        _ b: inout ModuleBuilder, _ name: String, _ x: ValueID, in inChannels: Int, out: Int,
        stride: Int, expansion: Int
    ) throws -> ValueID {
        let hidden = inChannels * expansion
        var y = x
        var index = 0
        if expansion != 1 {
            y = try b.convNormActivation(
                conv: "\(name).conv.0.0", norm: "\(name).conv.0.1", y, in: inChannels, out: hidden,
                kernel: .square(1), activation: .relu6, activationName: "\(name).conv.0.2")
            index += 1
        }
        y = try b.convNormActivation(
            conv: "\(name).conv.\(index).0", norm: "\(name).conv.\(index).1", y, in: hidden, out: hidden,
            kernel: .square(3), stride: .square(stride), padding: Padding2d(1, 1), groups: hidden,
            activation: .relu6, activationName: "\(name).conv.\(index).2")
        y = try b.convNormActivation(
            conv: "\(name).conv.\(index + 1)", norm: "\(name).conv.\(index + 2)", y, in: hidden, out: out,
            kernel: .square(1), activation: .identity)
        return stride == 1 && inChannels == out ? b.add(y, x, name: name) : y
    }
}
