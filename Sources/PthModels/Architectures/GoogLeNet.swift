import PthGraph

extension Architecture {
    /// torchvision `googlenet` (Inception v1, `torchvision.models.googlenet`), eval mode: the auxiliary
    /// classifiers `aux1.*` and `aux2.*` are accepted and ignored. `transformInput` as in `inceptionV3`,
    /// on by default because torchvision's pretrained GoogLeNet weights turn it on.
    public static func googLeNet(transformInput: Bool = true) -> Architecture {
        let isAuxiliary: @Sendable (String) -> Bool = { $0.hasPrefix("aux1.") || $0.hasPrefix("aux2.") }
        return Architecture(
            name: "googlenet", inputSize: 224, ignoring: isAuxiliary,
            transformInput: (transformInput, { Architecture.googLeNet(transformInput: $0) })
        ) { b in
            var (x, channels) = try b.imageInput(stem: "conv1.conv", channels: 3)
            if transformInput { x = try imageNetToUnitRange(&b, x, channels: channels, stem: "conv1.conv.weight") }
            x = try basicConv(&b, "conv1", x, in: channels, out: 64, kernel: .square(7), stride: 2, padding: Padding2d(3, 3))
            x = b.maxPool(x, kernel: 3, stride: 2, ceilMode: true, name: "maxpool1")
            x = try basicConv(&b, "conv2", x, in: 64, out: 64, kernel: .square(1))
            x = try basicConv(&b, "conv3", x, in: 64, out: 192, kernel: .square(3), padding: Padding2d(1, 1))
            x = b.maxPool(x, kernel: 3, stride: 2, ceilMode: true, name: "maxpool2")
            b.tap(x, as: "maxpool2")
            x = try inception(&b, "inception3a", x, in: 192, 64, 96, 128, 16, 32, 32)
            x = try inception(&b, "inception3b", x, in: 256, 128, 128, 192, 32, 96, 64)
            x = b.maxPool(x, kernel: 3, stride: 2, ceilMode: true, name: "maxpool3")
            x = try inception(&b, "inception4a", x, in: 480, 192, 96, 208, 16, 48, 64)
            x = try inception(&b, "inception4b", x, in: 512, 160, 112, 224, 24, 64, 64)
            x = try inception(&b, "inception4c", x, in: 512, 128, 128, 256, 24, 64, 64)
            x = try inception(&b, "inception4d", x, in: 512, 112, 144, 288, 32, 64, 64)
            x = try inception(&b, "inception4e", x, in: 528, 256, 160, 320, 32, 128, 128)
            x = b.maxPool(x, kernel: 2, stride: 2, ceilMode: true, name: "maxpool4")
            x = try inception(&b, "inception5a", x, in: 832, 256, 160, 320, 32, 128, 128)
            x = try inception(&b, "inception5b", x, in: 832, 384, 192, 384, 48, 128, 128)
            x = b.globalAvgPool(x, name: "avgpool")
            x = b.flatten(x, name: "flatten")
            return try b.classifier("fc", x, in: 1024)
        }
    }

    /// torchvision's `Inception` block: 1×1 | 1×1 → 3×3 | 1×1 → "5×5" | 3×3 max-pool (stride 1, ceil mode) → 1×1,
    /// concatenated. The "5×5" branch is a 3×3 conv in torchvision (a bug kept for its weights' sake).
    private static func inception(
        _ b: inout ModuleBuilder, _ name: String, _ x: ValueID, in c: Int, _ ch1x1: Int,
        _ ch3x3red: Int, _ ch3x3: Int, _ ch5x5red: Int, _ ch5x5: Int, _ poolProj: Int
    ) throws -> ValueID {
        let branch1 = try basicConv(&b, "\(name).branch1", x, in: c, out: ch1x1, kernel: .square(1))
        var branch2 = try basicConv(&b, "\(name).branch2.0", x, in: c, out: ch3x3red, kernel: .square(1))
        branch2 = try basicConv(&b, "\(name).branch2.1", branch2, in: ch3x3red, out: ch3x3, kernel: .square(3), padding: Padding2d(1, 1))
        var branch3 = try basicConv(&b, "\(name).branch3.0", x, in: c, out: ch5x5red, kernel: .square(1))
        branch3 = try basicConv(&b, "\(name).branch3.1", branch3, in: ch5x5red, out: ch5x5, kernel: .square(3), padding: Padding2d(1, 1))
        let pooled = b.maxPool(x, kernel: 3, stride: 1, padding: 1, ceilMode: true, name: "\(name).branch4.0")
        let branch4 = try basicConv(&b, "\(name).branch4.1", pooled, in: c, out: poolProj, kernel: .square(1))
        let output = b.concat([branch1, branch2, branch3, branch4], name: name)
        b.tap(output, as: name)
        return output
    }
}
