import PthGraph

extension Architecture {
    /// torchvision `densenet121`: growth 32, blocks 6-12-24-16, 64 initial features.
    public static let densenet121 = denseNet(name: "densenet121", growthRate: 32, blocks: [6, 12, 24, 16], initialFeatures: 64)

    /// A torchvision DenseNet (`torchvision.models.densenet`): `features.denseblockN.denselayerM` with
    /// `blocks[N-1]` layers of `growthRate` channels each, `features.transitionN` halving channels between
    /// blocks, bottlenecks of `bottleneckSize · growthRate` channels, and the final ReLU after `features.norm5`.
    public static func denseNet(name: String, growthRate: Int, blocks: [Int], initialFeatures: Int, bottleneckSize: Int = 4) -> Architecture {
        Architecture(name: name, inputSize: 224) { b in
            let input = b.input(channels: 3)
            var x = try b.convNormActivation(conv: "features.conv0", norm: "features.norm0", input, in: 3, out: initialFeatures,
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
                    pieces.append(try denseLayer(&b, "\(block).denselayer\(layer)", layerInput, in: channels + (layer - 1) * growthRate,
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
    private static func denseLayer(_ b: inout ModuleBuilder, _ name: String, _ x: ValueID, in inChannels: Int,
                                   growthRate: Int, bottleneckSize: Int) throws -> ValueID {
        let width = bottleneckSize * growthRate
        var y = try b.batchNorm("\(name).norm1", x, channels: inChannels)
        y = b.activation(.relu, y, name: "\(name).relu1")
        y = try b.convNormActivation(conv: "\(name).conv1", norm: "\(name).norm2", y, in: inChannels, out: width, kernel: .square(1),
                                     activation: .relu, activationName: "\(name).relu2")
        return try b.conv2d("\(name).conv2", y, in: width, out: growthRate, kernel: .square(3), padding: Padding2d(1, 1))
    }
}
