import PthGraph

extension Architecture {
    /// torchvision `densenet121`: growth 32, blocks 6-12-24-16, 64 initial features.
    public static let densenet121 = denseNet(name: "densenet121", growthRate: 32, blocks: [6, 12, 24, 16], initialFeatures: 64)
    /// torchvision `densenet161`: growth 48, blocks 6-12-36-24, 96 initial features.
    public static let densenet161 = denseNet(name: "densenet161", growthRate: 48, blocks: [6, 12, 36, 24], initialFeatures: 96)
    /// torchvision `densenet169`: growth 32, blocks 6-12-32-32, 64 initial features.
    public static let densenet169 = denseNet(name: "densenet169", growthRate: 32, blocks: [6, 12, 32, 32], initialFeatures: 64)
    /// torchvision `densenet201`: growth 32, blocks 6-12-48-32, 64 initial features.
    public static let densenet201 = denseNet(name: "densenet201", growthRate: 32, blocks: [6, 12, 48, 32], initialFeatures: 64)

    /// A torchvision DenseNet (`torchvision.models.densenet`): `features.denseblockN.denselayerM` with
    /// `blocks[N-1]` layers of `growthRate` channels each, `features.transitionN` halving channels between
    /// blocks, bottlenecks of `bottleneckSize · growthRate` channels, and the final ReLU after `features.norm5`.
    /// Checkpoints in the 2017 layout (`denselayer1.norm.1.weight`) load as torchvision's `_load_state_dict` remaps them.
    public static func denseNet(name: String, growthRate: Int, blocks: [Int], initialFeatures: Int, bottleneckSize: Int = 4) -> Architecture {
        Architecture(name: name, inputSize: 224, canonicalKey: currentDenseLayerKey) { b in
            let (input, imageChannels) = try b.imageInput(stem: "features.conv0", channels: 3)
            var x = try b.convNormActivation(
                conv: "features.conv0", norm: "features.norm0", input, in: imageChannels, out: initialFeatures,
                kernel: .square(7), stride: .square(2), padding: Padding2d(3, 3),
                activation: .relu, activationName: "features.relu0")
            x = b.maxPool(x, kernel: 3, stride: 2, padding: 1, name: "features.pool0")
            b.tap(x, as: "features.pool0")
            var channels = initialFeatures
            for (index, layers) in blocks.enumerated() {
                let block = "features.denseblock\(index + 1)"
                var pieces = [x]
                for layer in 1...layers {
                    let layerInput = pieces.count == 1 ? x : b.concat(pieces, name: "\(block).denselayer\(layer).cat")
                    pieces.append(
                        try denseLayer(
                            &b, "\(block).denselayer\(layer)", layerInput, in: channels + (layer - 1) * growthRate,
                            growthRate: growthRate, bottleneckSize: bottleneckSize))
                }
                x = b.concat(pieces, name: block)
                b.tap(x, as: block)
                channels += layers * growthRate
                if index < blocks.count - 1 {
                    let transition = "features.transition\(index + 1)"
                    var y = try b.batchNorm("\(transition).norm", x, channels: channels)
                    y = b.activation(.relu, y, name: "\(transition).relu")
                    y = try b.conv2d("\(transition).conv", y, in: channels, out: channels / 2, kernel: .square(1))
                    x = b.avgPool(y, kernel: 2, stride: 2, name: "\(transition).pool")
                    b.tap(x, as: transition)
                    channels /= 2
                }
            }
            x = try b.batchNorm("features.norm5", x, channels: channels)
            b.tap(x, as: "features.norm5")
            x = b.activation(.relu, x, name: "relu")
            x = b.globalAvgPool(x, name: "adaptive_avg_pool2d")
            x = b.flatten(x, name: "flatten")
            return try b.classifier("classifier", x, in: channels)
        }
    }

    /// `_DenseLayer`: BN → ReLU → 1×1 conv → BN → ReLU → 3×3 conv, producing `growthRate` new channels.
    private static func denseLayer(
        _ b: inout ModuleBuilder, _ name: String, _ x: ValueID, in inChannels: Int,
        growthRate: Int, bottleneckSize: Int
    ) throws -> ValueID {
        let width = bottleneckSize * growthRate
        var y = try b.batchNorm("\(name).norm1", x, channels: inChannels)
        y = b.activation(.relu, y, name: "\(name).relu1")
        y = try b.convNormActivation(
            conv: "\(name).conv1", norm: "\(name).norm2", y, in: inChannels, out: width, kernel: .square(1),
            activation: .relu, activationName: "\(name).relu2")
        return try b.conv2d("\(name).conv2", y, in: width, out: growthRate, kernel: .square(3), padding: Padding2d(1, 1))
    }

    /// torchvision's legacy-key rewrite: `….denselayerN.{norm,relu,conv}.{1,2}.{weight,bias,running_mean,running_var}`
    /// (modules named with a dot, which PyTorch stopped allowing) becomes `….denselayerN.norm1.weight`; other keys pass unchanged.
    @Sendable static func currentDenseLayerKey(_ key: String) -> String {
        var parts = key.split(separator: ".", omittingEmptySubsequences: false)
        let n = parts.count
        guard n >= 4, parts[n - 4].hasPrefix("denselayer"),
            case let number = parts[n - 4].dropFirst("denselayer".count), !number.isEmpty,
            number.allSatisfy({ $0.isASCII && $0.isNumber }),
            ["norm", "relu", "conv"].contains(parts[n - 3]), ["1", "2"].contains(parts[n - 2]),
            ["weight", "bias", "running_mean", "running_var"].contains(parts[n - 1])
        else { return key }
        parts[n - 3] += parts[n - 2]
        parts.remove(at: n - 2)
        return parts.joined(separator: ".")
    }
}
