import PthGraph

extension Architecture {
    /// torchvision `alexnet` (`torchvision.models.alexnet`, the "one weird trick" variant): five convs in
    /// `features`, adaptive average pool to 6×6, `classifier.1/4/6` with ReLU (dropout is an eval-mode identity).
    public static let alexnet = Architecture(name: "alexnet", inputSize: 224) { b in
        let (input, imageChannels) = try b.imageInput(stem: "features.0", channels: 3)
        var x = try b.conv2d("features.0", input, in: imageChannels, out: 64, kernel: .square(11), stride: .square(4), padding: Padding2d(2, 2), bias: true)
        x = b.activation(.relu, x, name: "features.1")
        x = b.maxPool(x, kernel: 3, stride: 2, name: "features.2")
        b.tap(x, as: "features.2")
        x = try b.conv2d("features.3", x, in: 64, out: 192, kernel: .square(5), padding: Padding2d(2, 2), bias: true)
        x = b.activation(.relu, x, name: "features.4")
        x = b.maxPool(x, kernel: 3, stride: 2, name: "features.5")
        b.tap(x, as: "features.5")
        x = try b.conv2d("features.6", x, in: 192, out: 384, kernel: .square(3), padding: Padding2d(1, 1), bias: true)
        x = b.activation(.relu, x, name: "features.7")
        x = try b.conv2d("features.8", x, in: 384, out: 256, kernel: .square(3), padding: Padding2d(1, 1), bias: true)
        x = b.activation(.relu, x, name: "features.9")
        x = try b.conv2d("features.10", x, in: 256, out: 256, kernel: .square(3), padding: Padding2d(1, 1), bias: true)
        x = b.activation(.relu, x, name: "features.11")
        x = b.maxPool(x, kernel: 3, stride: 2, name: "features.12")
        b.tap(x, as: "features.12")
        x = b.adaptiveAvgPool(x, size: 6, name: "avgpool")
        x = b.flatten(x, name: "flatten")
        x = try b.linear("classifier.1", x, in: 256 * 6 * 6, out: 4096)
        x = b.activation(.relu, x, name: "classifier.2")
        x = try b.linear("classifier.4", x, in: 4096, out: 4096)
        x = b.activation(.relu, x, name: "classifier.5")
        return try b.classifier("classifier.6", x, in: 4096)
    }
}
