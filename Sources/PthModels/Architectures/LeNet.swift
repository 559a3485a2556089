import PthGraph

extension Architecture {
    /// LeNet-5 as the PyTorch tutorials write it ("bring your own small CNN"): a 1×32×32 grayscale input,
    /// `conv1` 1→6 5×5, 2×2 max-pool, `conv2` 6→16 5×5, 2×2 max-pool, then `fc1` 400→120, `fc2` 120→84,
    /// `fc3` 84→classes. The activation is ReLU throughout, as in the PyTorch "Neural Networks" tutorial;
    /// LeCun's original tanh/sigmoid variant has the same keys and shapes, so it would load but compute
    /// something else. There is no torchvision preset: inputs are whatever the model was trained on.
    public static let lenet5 = Architecture(name: "lenet5", inputSize: 32, inputChannels: 1) { b in
        let (input, imageChannels) = try b.imageInput(stem: "conv1", channels: 1)
        var x = try b.conv2d("conv1", input, in: imageChannels, out: 6, kernel: .square(5), bias: true)
        x = b.activation(.relu, x, name: "relu1")
        x = b.maxPool(x, kernel: 2, stride: 2, name: "pool1")
        b.tap(x, as: "pool1")
        x = try b.conv2d("conv2", x, in: 6, out: 16, kernel: .square(5), bias: true)
        x = b.activation(.relu, x, name: "relu2")
        x = b.maxPool(x, kernel: 2, stride: 2, name: "pool2")
        b.tap(x, as: "pool2")
        x = b.flatten(x, name: "flatten")
        x = try b.linear("fc1", x, in: 16 * 5 * 5, out: 120)
        x = b.activation(.relu, x, name: "relu3")
        x = try b.linear("fc2", x, in: 120, out: 84)
        x = b.activation(.relu, x, name: "relu4")
        return try b.classifier("fc3", x, in: 84)
    }
}
