import PthGraph

extension Architecture {
    /// torchvision `inception_v3` (`torchvision.models.inception`), eval mode: `AuxLogits.*` keys are
    /// accepted and ignored. `transformInput` re-normalises ImageNet-normalised input to the [-1, 1]
    /// range the original weights were trained on; torchvision turns it on for its pretrained weights,
    /// hence the default.
    public static func inceptionV3(transformInput: Bool = true) -> Architecture {
        let isAuxiliary: @Sendable (String) -> Bool = { $0.hasPrefix("AuxLogits.") }
        return Architecture(
            name: "inception_v3", inputSize: 299, ignoring: isAuxiliary,
            transformInput: (transformInput, { Architecture.inceptionV3(transformInput: $0) })
        ) { b in
            var (x, channels) = try b.imageInput(stem: "Conv2d_1a_3x3.conv", channels: 3)
            if transformInput { x = try imageNetToUnitRange(&b, x, channels: channels, stem: "Conv2d_1a_3x3.conv.weight") }
            x = try basicConv(&b, "Conv2d_1a_3x3", x, in: channels, out: 32, kernel: .square(3), stride: 2)
            x = try basicConv(&b, "Conv2d_2a_3x3", x, in: 32, out: 32, kernel: .square(3))
            x = try basicConv(&b, "Conv2d_2b_3x3", x, in: 32, out: 64, kernel: .square(3), padding: Padding2d(1, 1))
            x = b.maxPool(x, kernel: 3, stride: 2, name: "maxpool1")
            x = try basicConv(&b, "Conv2d_3b_1x1", x, in: 64, out: 80, kernel: .square(1))
            x = try basicConv(&b, "Conv2d_4a_3x3", x, in: 80, out: 192, kernel: .square(3))
            x = b.maxPool(x, kernel: 3, stride: 2, name: "maxpool2")
            b.tap(x, as: "maxpool2")
            x = try inceptionA(&b, "Mixed_5b", x, in: 192, poolFeatures: 32)
            x = try inceptionA(&b, "Mixed_5c", x, in: 256, poolFeatures: 64)
            x = try inceptionA(&b, "Mixed_5d", x, in: 288, poolFeatures: 64)
            x = try inceptionB(&b, "Mixed_6a", x, in: 288)
            x = try inceptionC(&b, "Mixed_6b", x, channels7x7: 128)
            x = try inceptionC(&b, "Mixed_6c", x, channels7x7: 160)
            x = try inceptionC(&b, "Mixed_6d", x, channels7x7: 160)
            x = try inceptionC(&b, "Mixed_6e", x, channels7x7: 192)
            x = try inceptionD(&b, "Mixed_7a", x)
            x = try inceptionE(&b, "Mixed_7b", x, in: 1280)
            x = try inceptionE(&b, "Mixed_7c", x, in: 2048)
            x = b.globalAvgPool(x, name: "avgpool")
            x = b.flatten(x, name: "flatten")
            return try b.classifier("fc", x, in: 2048)
        }
    }

    /// `_transform_input` of Inception3 and GoogLeNet: ImageNet-normalised input re-normalised to the
    /// [-1, 1] range Google's original weights were trained on.
    static func imageNetToUnitRange(_ b: inout ModuleBuilder, _ x: ValueID, channels: Int, stem: String) throws -> ValueID {
        guard channels == 3 else {
            throw ModelError(
                stem,
                "takes \(channels) input channels, but transform_input re-normalises 3 (RGB) channels; "
                    + "turn it off (--no-transform-input, or Architecture.settingTransformInput(false))")
        }
        // x[:, c] * (std[c] / 0.5) + (mean[c] - 0.5) / 0.5
        let mean: [Double] = [0.485, 0.456, 0.406], std: [Double] = [0.229, 0.224, 0.225]
        return b.channelAffine(x, scale: std.map { Float($0 / 0.5) }, shift: mean.map { Float(($0 - 0.5) / 0.5) }, name: "transform_input")
    }

    /// `BasicConv2d` (Inception v3 and GoogLeNet): conv without bias, BatchNorm with eps 0.001, ReLU.
    static func basicConv(
        _ b: inout ModuleBuilder, _ name: String, _ x: ValueID, in inChannels: Int, out outChannels: Int,
        kernel: Size2d, stride: Int = 1, padding: Padding2d = .zero
    ) throws -> ValueID {
        try b.convNormActivation(
            conv: "\(name).conv", norm: "\(name).bn", x, in: inChannels, out: outChannels, kernel: kernel,
            stride: .square(stride), padding: padding, eps: 0.001, activation: .relu, activationName: name)
    }

    /// `avg_pool2d(x, 3, stride=1, padding=1)` (padding counted in the divisor) then a 1×1 `branch_pool`.
    private static func poolBranch(_ b: inout ModuleBuilder, _ name: String, _ x: ValueID, in inChannels: Int, out: Int) throws -> ValueID {
        let pooled = b.avgPool(x, kernel: 3, stride: 1, padding: 1, name: "\(name).avg_pool2d")
        return try basicConv(&b, "\(name).branch_pool", pooled, in: inChannels, out: out, kernel: .square(1))
    }

    private static func inceptionA(_ b: inout ModuleBuilder, _ name: String, _ x: ValueID, in c: Int, poolFeatures: Int) throws -> ValueID {
        let branch1x1 = try basicConv(&b, "\(name).branch1x1", x, in: c, out: 64, kernel: .square(1))
        var branch5x5 = try basicConv(&b, "\(name).branch5x5_1", x, in: c, out: 48, kernel: .square(1))
        branch5x5 = try basicConv(&b, "\(name).branch5x5_2", branch5x5, in: 48, out: 64, kernel: .square(5), padding: Padding2d(2, 2))
        var branch3x3dbl = try basicConv(&b, "\(name).branch3x3dbl_1", x, in: c, out: 64, kernel: .square(1))
        branch3x3dbl = try basicConv(&b, "\(name).branch3x3dbl_2", branch3x3dbl, in: 64, out: 96, kernel: .square(3), padding: Padding2d(1, 1))
        branch3x3dbl = try basicConv(&b, "\(name).branch3x3dbl_3", branch3x3dbl, in: 96, out: 96, kernel: .square(3), padding: Padding2d(1, 1))
        let branchPool = try poolBranch(&b, name, x, in: c, out: poolFeatures)
        return stage(&b, name, [branch1x1, branch5x5, branch3x3dbl, branchPool])
    }

    private static func inceptionB(_ b: inout ModuleBuilder, _ name: String, _ x: ValueID, in c: Int) throws -> ValueID {
        let branch3x3 = try basicConv(&b, "\(name).branch3x3", x, in: c, out: 384, kernel: .square(3), stride: 2)
        var branch3x3dbl = try basicConv(&b, "\(name).branch3x3dbl_1", x, in: c, out: 64, kernel: .square(1))
        branch3x3dbl = try basicConv(&b, "\(name).branch3x3dbl_2", branch3x3dbl, in: 64, out: 96, kernel: .square(3), padding: Padding2d(1, 1))
        branch3x3dbl = try basicConv(&b, "\(name).branch3x3dbl_3", branch3x3dbl, in: 96, out: 96, kernel: .square(3), stride: 2)
        let branchPool = b.maxPool(x, kernel: 3, stride: 2, name: "\(name).max_pool2d")
        return stage(&b, name, [branch3x3, branch3x3dbl, branchPool])
    }

    private static func inceptionC(_ b: inout ModuleBuilder, _ name: String, _ x: ValueID, channels7x7 c7: Int) throws -> ValueID {
        let row = Size2d(1, 7), column = Size2d(7, 1)
        let rowPadding = Padding2d(0, 3), columnPadding = Padding2d(3, 0)
        let branch1x1 = try basicConv(&b, "\(name).branch1x1", x, in: 768, out: 192, kernel: .square(1))
        var branch7x7 = try basicConv(&b, "\(name).branch7x7_1", x, in: 768, out: c7, kernel: .square(1))
        branch7x7 = try basicConv(&b, "\(name).branch7x7_2", branch7x7, in: c7, out: c7, kernel: row, padding: rowPadding)
        branch7x7 = try basicConv(&b, "\(name).branch7x7_3", branch7x7, in: c7, out: 192, kernel: column, padding: columnPadding)
        var branch7x7dbl = try basicConv(&b, "\(name).branch7x7dbl_1", x, in: 768, out: c7, kernel: .square(1))
        branch7x7dbl = try basicConv(&b, "\(name).branch7x7dbl_2", branch7x7dbl, in: c7, out: c7, kernel: column, padding: columnPadding)
        branch7x7dbl = try basicConv(&b, "\(name).branch7x7dbl_3", branch7x7dbl, in: c7, out: c7, kernel: row, padding: rowPadding)
        branch7x7dbl = try basicConv(&b, "\(name).branch7x7dbl_4", branch7x7dbl, in: c7, out: c7, kernel: column, padding: columnPadding)
        branch7x7dbl = try basicConv(&b, "\(name).branch7x7dbl_5", branch7x7dbl, in: c7, out: 192, kernel: row, padding: rowPadding)
        let branchPool = try poolBranch(&b, name, x, in: 768, out: 192)
        return stage(&b, name, [branch1x1, branch7x7, branch7x7dbl, branchPool])
    }

    private static func inceptionD(_ b: inout ModuleBuilder, _ name: String, _ x: ValueID) throws -> ValueID {
        var branch3x3 = try basicConv(&b, "\(name).branch3x3_1", x, in: 768, out: 192, kernel: .square(1))
        branch3x3 = try basicConv(&b, "\(name).branch3x3_2", branch3x3, in: 192, out: 320, kernel: .square(3), stride: 2)
        var branch7x7x3 = try basicConv(&b, "\(name).branch7x7x3_1", x, in: 768, out: 192, kernel: .square(1))
        branch7x7x3 = try basicConv(&b, "\(name).branch7x7x3_2", branch7x7x3, in: 192, out: 192, kernel: Size2d(1, 7), padding: Padding2d(0, 3))
        branch7x7x3 = try basicConv(&b, "\(name).branch7x7x3_3", branch7x7x3, in: 192, out: 192, kernel: Size2d(7, 1), padding: Padding2d(3, 0))
        branch7x7x3 = try basicConv(&b, "\(name).branch7x7x3_4", branch7x7x3, in: 192, out: 192, kernel: .square(3), stride: 2)
        let branchPool = b.maxPool(x, kernel: 3, stride: 2, name: "\(name).max_pool2d")
        return stage(&b, name, [branch3x3, branch7x7x3, branchPool])
    }

    private static func inceptionE(_ b: inout ModuleBuilder, _ name: String, _ x: ValueID, in c: Int) throws -> ValueID {
        let row = Size2d(1, 3), column = Size2d(3, 1)
        let rowPadding = Padding2d(0, 1), columnPadding = Padding2d(1, 0)
        let branch1x1 = try basicConv(&b, "\(name).branch1x1", x, in: c, out: 320, kernel: .square(1))
        let branch3x3 = try basicConv(&b, "\(name).branch3x3_1", x, in: c, out: 384, kernel: .square(1))
        let branch3x3a = try basicConv(&b, "\(name).branch3x3_2a", branch3x3, in: 384, out: 384, kernel: row, padding: rowPadding)
        let branch3x3b = try basicConv(&b, "\(name).branch3x3_2b", branch3x3, in: 384, out: 384, kernel: column, padding: columnPadding)
        var branch3x3dbl = try basicConv(&b, "\(name).branch3x3dbl_1", x, in: c, out: 448, kernel: .square(1))
        branch3x3dbl = try basicConv(&b, "\(name).branch3x3dbl_2", branch3x3dbl, in: 448, out: 384, kernel: .square(3), padding: Padding2d(1, 1))
        let branch3x3dblA = try basicConv(&b, "\(name).branch3x3dbl_3a", branch3x3dbl, in: 384, out: 384, kernel: row, padding: rowPadding)
        let branch3x3dblB = try basicConv(&b, "\(name).branch3x3dbl_3b", branch3x3dbl, in: 384, out: 384, kernel: column, padding: columnPadding)
        let branchPool = try poolBranch(&b, name, x, in: c, out: 192)
        // torchvision concatenates the 2a/2b and 3a/3b pairs first; one flat concat gives the same channel order.
        return stage(&b, name, [branch1x1, branch3x3a, branch3x3b, branch3x3dblA, branch3x3dblB, branchPool])
    }

    /// The concatenated branches of a `Mixed_*` block, tapped under the block's name.
    private static func stage(_ b: inout ModuleBuilder, _ name: String, _ branches: [ValueID]) -> ValueID {
        let output = b.concat(branches, name: name)
        b.tap(output, as: name)
        return output
    }
}
