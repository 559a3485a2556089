import PthGraph

extension Architecture {
    /// torchvision `resnet50`: Bottleneck blocks, 3-4-6-3.
    public static let resnet50 = resNet(name: "resnet50", layers: [3, 4, 6, 3])

    /// A torchvision ResNet built from `Bottleneck` blocks (`torchvision.models.resnet`): `layers`
    /// blocks in `layer1…layer4`; `groups` and `widthPerGroup` give ResNeXt (32, 4) and wide ResNets (1, 128).
    public static func resNet(name: String, layers: [Int], groups: Int = 1, widthPerGroup: Int = 64) -> Architecture {
        Architecture(name: name, inputSize: 224) { b in
            let input = b.input(channels: 3)
            var x = try b.convNormActivation(conv: "conv1", norm: "bn1", input, in: 3, out: 64, kernel: .square(7),
                                             stride: .square(2), padding: Padding2d(3, 3), activation: .relu)
            x = b.maxPool(x, kernel: 3, stride: 2, padding: 1, name: "maxpool")
            b.tap(x, as: "maxpool")
            var channels = 64
            for (stage, blocks) in layers.enumerated() {
                let planes = 64 << stage
                for block in 0..<blocks {
                    let stride = block == 0 && stage > 0 ? 2 : 1
                    x = try bottleneck(&b, "layer\(stage + 1).\(block)", x, in: channels, planes: planes, stride: stride,
                                       groups: groups, widthPerGroup: widthPerGroup)
                    channels = planes * 4
                }
                b.tap(x, as: "layer\(stage + 1)")
            }
            x = b.globalAvgPool(x, name: "avgpool")
            x = b.flatten(x, name: "flatten")
            return try b.classifier("fc", x, in: channels)
        }
    }

    /// torchvision's `Bottleneck` (stride on the 3×3, as in ResNet v1.5), with `downsample` on the
    /// shortcut when the shape changes.
    private static func bottleneck(_ b: inout ModuleBuilder, _ name: String, _ x: ValueID, in inChannels: Int, planes: Int,
                                   stride: Int, groups: Int, widthPerGroup: Int) throws -> ValueID {
        let width = planes * widthPerGroup / 64 * groups
        let out = planes * 4
        var y = try b.convNormActivation(conv: "\(name).conv1", norm: "\(name).bn1", x, in: inChannels, out: width, kernel: .square(1), activation: .relu)
        y = try b.convNormActivation(conv: "\(name).conv2", norm: "\(name).bn2", y, in: width, out: width, kernel: .square(3),
                                     stride: .square(stride), padding: Padding2d(1, 1), groups: groups, activation: .relu)
        y = try b.convNormActivation(conv: "\(name).conv3", norm: "\(name).bn3", y, in: width, out: out, kernel: .square(1), activation: .identity)
        var shortcut = x
        if stride != 1 || inChannels != out {
            shortcut = try b.convNormActivation(conv: "\(name).downsample.0", norm: "\(name).downsample.1", x, in: inChannels, out: out,
                                                kernel: .square(1), stride: .square(stride), activation: .identity)
        }
        return b.activation(.relu, b.add(y, shortcut, name: "\(name).add"), name: name)
    }
}
