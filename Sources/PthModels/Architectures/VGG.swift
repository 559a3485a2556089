import PthGraph

extension Architecture {
    /// torchvision `vgg11` … `vgg19_bn` (`torchvision.models.vgg`), by configuration letter
    /// (A = 11, B = 13, D = 16, E = 19 weight layers) and batch norm.
    public static let vgg11 = vgg(name: "vgg11", configuration: vggA, batchNorm: false)
    /// torchvision `vgg11_bn`.
    public static let vgg11BN = vgg(name: "vgg11_bn", configuration: vggA, batchNorm: true)
    /// torchvision `vgg13`.
    public static let vgg13 = vgg(name: "vgg13", configuration: vggB, batchNorm: false)
    /// torchvision `vgg13_bn`.
    public static let vgg13BN = vgg(name: "vgg13_bn", configuration: vggB, batchNorm: true)
    /// torchvision `vgg16`.
    public static let vgg16 = vgg(name: "vgg16", configuration: vggD, batchNorm: false)
    /// torchvision `vgg16_bn`.
    public static let vgg16BN = vgg(name: "vgg16_bn", configuration: vggD, batchNorm: true)
    /// torchvision `vgg19`.
    public static let vgg19 = vgg(name: "vgg19", configuration: vggE, batchNorm: false)
    /// torchvision `vgg19_bn`.
    public static let vgg19BN = vgg(name: "vgg19_bn", configuration: vggE, batchNorm: true)

    /// torchvision's `cfgs`: output channels of each 3×3 conv, 0 for a 2×2 max-pool.
    private static let vggA = [64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0]
    private static let vggB = [64, 64, 0, 128, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0]
    private static let vggD = [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0]
    private static let vggE = [64, 64, 0, 128, 128, 0, 256, 256, 256, 256, 0, 512, 512, 512, 512, 0, 512, 512, 512, 512, 0]

    /// A torchvision VGG: `features` numbered as `make_layers` appends them (conv, [BN], ReLU; pool),
    /// adaptive average pool to 7×7, then `classifier.0/3/6` with ReLU and dropout between.
    /// Each max-pool output is tapped under its `features.N` name.
    public static func vgg(name: String, configuration: [Int], batchNorm: Bool) -> Architecture {
        Architecture(name: name, inputSize: 224) { b in
            var (x, channels) = try b.imageInput(stem: "features.0", channels: 3)
            var index = 0
            for width in configuration {
                if width == 0 {
                    x = b.maxPool(x, kernel: 2, stride: 2, name: "features.\(index)")
                    b.tap(x, as: "features.\(index)")
                    index += 1
                    continue
                }
                x = try b.conv2d("features.\(index)", x, in: channels, out: width, kernel: .square(3), padding: Padding2d(1, 1), bias: true)
                if batchNorm {
                    x = try b.batchNorm("features.\(index + 1)", x, channels: width)
                    index += 1
                }
                x = b.activation(.relu, x, name: "features.\(index + 1)")
                index += 2
                channels = width
            }
            x = b.adaptiveAvgPool(x, size: 7, name: "avgpool")
            x = b.flatten(x, name: "flatten")
            x = try b.linear("classifier.0", x, in: channels * 7 * 7, out: 4096)
            x = b.activation(.relu, x, name: "classifier.1")
            x = try b.linear("classifier.3", x, in: 4096, out: 4096)
            x = b.activation(.relu, x, name: "classifier.4")
            return try b.classifier("classifier.6", x, in: 4096)
        }
    }
}
