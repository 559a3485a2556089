import PthGraph

extension Architecture {
    /// torchvision `resnet18`: BasicBlocks, 2-2-2-2.
    public static let resnet18 = resNet(name: "resnet18", block: .basic, layers: [2, 2, 2, 2])
    /// torchvision `resnet34`: BasicBlocks, 3-4-6-3.
    public static let resnet34 = resNet(name: "resnet34", block: .basic, layers: [3, 4, 6, 3])
    /// torchvision `resnet50`: Bottleneck blocks, 3-4-6-3.
    public static let resnet50 = resNet(name: "resnet50", layers: [3, 4, 6, 3])
    /// torchvision `resnet101`: Bottleneck blocks, 3-4-23-3.
    public static let resnet101 = resNet(name: "resnet101", layers: [3, 4, 23, 3])
    /// torchvision `resnet152`: Bottleneck blocks, 3-8-36-3.
    public static let resnet152 = resNet(name: "resnet152", layers: [3, 8, 36, 3])
    // swift-format-ignore: AlwaysUseLowerCamelCase
    /// torchvision `resnext50_32x4d`: 32 groups of 4 channels per bottleneck at the first stage's width.
    public static let resnext50_32x4d = resNet(name: "resnext50_32x4d", layers: [3, 4, 6, 3], groups: 32, widthPerGroup: 4)
    // swift-format-ignore: AlwaysUseLowerCamelCase
    /// torchvision `resnext101_32x8d`.
    public static let resnext101_32x8d = resNet(name: "resnext101_32x8d", layers: [3, 4, 23, 3], groups: 32, widthPerGroup: 8)
    // swift-format-ignore: AlwaysUseLowerCamelCase
    /// torchvision `wide_resnet50_2`: bottlenecks twice as wide (width per group 128).
    public static let wide_resnet50_2 = resNet(name: "wide_resnet50_2", layers: [3, 4, 6, 3], widthPerGroup: 128)

    /// The residual block a torchvision ResNet is built from.
    public enum ResNetBlock: Sendable {
        /// `BasicBlock`: two 3×3 convs, expansion 1 (ResNet18/34).
        case basic
        /// `Bottleneck`: 1×1 → 3×3 (grouped) → 1×1, expansion 4 (ResNet50 and deeper, ResNeXt, wide).
        case bottleneck
    }

    /// A torchvision ResNet (`torchvision.models.resnet`): `layers` blocks in `layer1…layer4`;
    /// `groups` and `widthPerGroup` give ResNeXt (32, 4) and wide ResNets (1, 128), Bottleneck only
    /// (torchvision's BasicBlock refuses them too).
    public static func resNet(name: String, block: ResNetBlock = .bottleneck, layers: [Int], groups: Int = 1, widthPerGroup: Int = 64) -> Architecture {
        precondition(block == .bottleneck || (groups == 1 && widthPerGroup == 64), "BasicBlock only supports groups=1 and base_width=64")
        return Architecture(name: name, inputSize: 224) { b in
            let (input, imageChannels) = try b.imageInput(stem: "conv1", channels: 3)
            var x = try b.convNormActivation(
                conv: "conv1", norm: "bn1", input, in: imageChannels, out: 64, kernel: .square(7),
                stride: .square(2), padding: Padding2d(3, 3), activation: .relu)
            x = b.maxPool(x, kernel: 3, stride: 2, padding: 1, name: "maxpool")
            b.tap(x, as: "maxpool")
            var channels = 64
            for (stage, blocks) in layers.enumerated() {
                let planes = 64 << stage
                for index in 0..<blocks {
                    let stride = index == 0 && stage > 0 ? 2 : 1
                    let name = "layer\(stage + 1).\(index)"
                    switch block {
                    case .basic:
                        x = try basicBlock(&b, name, x, in: channels, planes: planes, stride: stride)
                        channels = planes
                    case .bottleneck:
                        x = try bottleneck(
                            &b, name, x, in: channels, planes: planes, stride: stride,
                            groups: groups, widthPerGroup: widthPerGroup)
                        channels = planes * 4
                    }
                }
                b.tap(x, as: "layer\(stage + 1)")
            }
            x = b.globalAvgPool(x, name: "avgpool")
            x = b.flatten(x, name: "flatten")
            return try b.classifier("fc", x, in: channels)
        }
    }

    /// torchvision's `BasicBlock`: 3×3 (with the stride) → 3×3, plus the shortcut.
    private static func basicBlock(
        _ b: inout ModuleBuilder, _ name: String, _ x: ValueID, in inChannels: Int, planes: Int,
        stride: Int
    ) throws -> ValueID {
        var y = try b.convNormActivation(
            conv: "\(name).conv1", norm: "\(name).bn1", x, in: inChannels, out: planes, kernel: .square(3),
            stride: .square(stride), padding: Padding2d(1, 1), activation: .relu)
        y = try b.convNormActivation(
            conv: "\(name).conv2", norm: "\(name).bn2", y, in: planes, out: planes, kernel: .square(3),
            padding: Padding2d(1, 1), activation: .identity)
        return try residual(&b, name, y, shortcutFrom: x, in: inChannels, out: planes, stride: stride)
    }

    /// torchvision's `Bottleneck` (stride on the 3×3, as in ResNet v1.5).
    private static func bottleneck(
        _ b: inout ModuleBuilder, _ name: String, _ x: ValueID, in inChannels: Int, planes: Int,
        stride: Int, groups: Int, widthPerGroup: Int
    ) throws -> ValueID {
        let width = planes * widthPerGroup / 64 * groups
        let out = planes * 4
        var y = try b.convNormActivation(conv: "\(name).conv1", norm: "\(name).bn1", x, in: inChannels, out: width, kernel: .square(1), activation: .relu)
        y = try b.convNormActivation(
            conv: "\(name).conv2", norm: "\(name).bn2", y, in: width, out: width, kernel: .square(3),
            stride: .square(stride), padding: Padding2d(1, 1), groups: groups, activation: .relu)
        y = try b.convNormActivation(conv: "\(name).conv3", norm: "\(name).bn3", y, in: width, out: out, kernel: .square(1), activation: .identity)
        return try residual(&b, name, y, shortcutFrom: x, in: inChannels, out: out, stride: stride)
    }

    /// `relu(y + shortcut)`, the shortcut going through `downsample` (1×1 conv + BN) when the shape changes.
    private static func residual(
        _ b: inout ModuleBuilder, _ name: String, _ y: ValueID, shortcutFrom x: ValueID,
        in inChannels: Int, out: Int, stride: Int
    ) throws -> ValueID {
        var shortcut = x
        if stride != 1 || inChannels != out {
            shortcut = try b.convNormActivation(
                conv: "\(name).downsample.0", norm: "\(name).downsample.1", x, in: inChannels, out: out,
                kernel: .square(1), stride: .square(stride), activation: .identity)
        }
        return b.activation(.relu, b.add(y, shortcut, name: "\(name).add"), name: name)
    }
}
