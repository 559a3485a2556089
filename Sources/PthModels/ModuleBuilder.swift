import PthGraph

/// Appends torchvision modules to a graph in execution order, reading each module's parameters by
/// its key prefix (`layer1.0.conv1`), so node names and error messages carry torchvision's names.
///
/// Channel counts are passed in by the architecture, which knows them: that is what lets every
/// parameter be checked against the shape the architecture expects.
struct ModuleBuilder {
    private(set) var graph = Graph()
    var parameters: any ParameterSource

    init(parameters: any ParameterSource) {
        self.parameters = parameters
    }

    /// The image input, with as many channels as the stem convolution `stem` takes in the checkpoint
    /// (its weight's second dimension): `channels`, the architecture's own, for synthetic weights, and
    /// whatever a fine-tuned copy was trained on otherwise (1 for a grayscale ResNet).
    mutating func imageInput(stem: String, channels: Int) throws -> (value: ValueID, channels: Int) {
        let taken = try parameters.inputChannels(ofStem: "\(stem).weight", default: channels)
        return (graph.add(.input(channels: taken), name: "input"), taken)
    }

    /// `nn.Conv2d(inChannels, outChannels, kernel, stride, padding, groups=groups, bias=bias)` at `name`.
    mutating func conv2d(
        _ name: String, _ x: ValueID, in inChannels: Int, out outChannels: Int, kernel: Size2d,
        stride: Size2d = .square(1), padding: Padding2d = .zero, groups: Int = 1, bias: Bool = false
    ) throws -> ValueID {
        let weight = try parameters.constant("\(name).weight", shape: [outChannels, inChannels / groups, kernel.height, kernel.width])
        let biasValues = bias ? try parameters.constant("\(name).bias", shape: [outChannels]) : nil
        let conv = Conv2d(weight: weight, bias: biasValues, stride: stride, padding: padding, groups: groups)
        return graph.add(.conv2d(conv), [x], name: name)
    }

    /// `nn.BatchNorm2d(channels, eps)` at `name`, in eval mode.
    mutating func batchNorm(_ name: String, _ x: ValueID, channels: Int, eps: Float = 1e-5) throws -> ValueID {
        let norm = BatchNorm(
            weight: try parameters.constant("\(name).weight", shape: [channels]),
            bias: try parameters.constant("\(name).bias", shape: [channels]),
            runningMean: try parameters.constant("\(name).running_mean", shape: [channels]),
            runningVar: try parameters.constant("\(name).running_var", shape: [channels]),
            eps: eps)
        return graph.add(.batchNorm(norm), [x], name: name)
    }

    /// Conv (no bias) → BatchNorm → activation, with the conv and norm at the given key prefixes:
    /// torchvision's `BasicConv2d` (`x.conv`, `x.bn`), `Conv2dNormActivation` (`x.0`, `x.1`) or a plain
    /// sequence (`conv1`, `bn1`). The activation node is named `activationName`, by default after the norm.
    mutating func convNormActivation(
        conv: String, norm: String, _ x: ValueID, in inChannels: Int, out outChannels: Int,
        kernel: Size2d, stride: Size2d = .square(1), padding: Padding2d = .zero, groups: Int = 1,
        eps: Float = 1e-5, activation: Activation, activationName: String? = nil
    ) throws -> ValueID {
        let convolved = try conv2d(
            conv, x, in: inChannels, out: outChannels, kernel: kernel,
            stride: stride, padding: padding, groups: groups)
        let normalised = try batchNorm(norm, convolved, channels: outChannels, eps: eps)
        guard activation != .identity else { return normalised }
        return self.activation(activation, normalised, name: activationName ?? "\(norm).\(activation.rawValue)")
    }

    /// `nn.Linear(inFeatures, outFeatures)` at `name`.
    mutating func linear(_ name: String, _ x: ValueID, in inFeatures: Int, out outFeatures: Int) throws -> ValueID {
        let layer = Linear(
            weight: try parameters.constant("\(name).weight", shape: [outFeatures, inFeatures]),
            bias: try parameters.constant("\(name).bias", shape: [outFeatures]))
        return graph.add(.linear(layer), [x], name: name)
    }

    /// The final `nn.Linear` at `name`, with as many classes as the checkpoint's weight has rows
    /// (fine-tuned checkpoints rarely keep ImageNet's 1000).
    /// Its input is tapped as `Architecture.embeddingTap`: the features the network has with this layer
    /// replaced by `nn.Identity()`.
    mutating func classifier(_ name: String, _ x: ValueID, in inFeatures: Int) throws -> ValueID {
        graph.tap(x, as: Architecture.embeddingTap)
        let classes = try parameters.leadingDimension(of: "\(name).weight", trailing: [inFeatures])
        return try linear(name, x, in: inFeatures, out: classes)
    }

    mutating func activation(_ activation: Activation, _ x: ValueID, name: String) -> ValueID {
        graph.add(.activation(activation), [x], name: name)
    }

    mutating func add(_ a: ValueID, _ b: ValueID, name: String) -> ValueID {
        graph.add(.add(.identity), [a, b], name: name)
    }

    /// `x * scale` with `scale` of shape `[N, C, 1, 1]` (squeeze-and-excitation).
    mutating func scale(_ x: ValueID, by scale: ValueID, name: String) -> ValueID {
        graph.add(.mul, [x, scale], name: name)
    }

    mutating func concat(_ values: [ValueID], name: String) -> ValueID {
        graph.add(.concat, values, name: name)
    }

    /// `nn.MaxPool2d(kernel, stride, padding, ceil_mode=ceilMode)`.
    mutating func maxPool(_ x: ValueID, kernel: Int, stride: Int, padding: Int = 0, ceilMode: Bool = false, name: String) -> ValueID {
        let pool = Pool2d(kernel: .square(kernel), stride: .square(stride), padding: Padding2d(padding, padding), ceilMode: ceilMode)
        return graph.add(.maxPool(pool), [x], name: name)
    }

    /// `avg_pool2d` with PyTorch's default `count_include_pad=True`.
    mutating func avgPool(_ x: ValueID, kernel: Int, stride: Int, padding: Int = 0, name: String) -> ValueID {
        let pool = Pool2d(kernel: .square(kernel), stride: .square(stride), padding: Padding2d(padding, padding))
        return graph.add(.avgPool(pool), [x], name: name)
    }

    /// `nn.AdaptiveAvgPool2d(1)`.
    mutating func globalAvgPool(_ x: ValueID, name: String) -> ValueID {
        adaptiveAvgPool(x, size: 1, name: name)
    }

    /// `nn.AdaptiveAvgPool2d(size)` (VGG's 7×7, AlexNet's 6×6).
    mutating func adaptiveAvgPool(_ x: ValueID, size: Int, name: String) -> ValueID {
        graph.add(.adaptiveAvgPool(.square(size)), [x], name: name)
    }

    /// torchvision's `SqueezeExcitation` at `name`: avgpool → `fc1` (1×1 conv) → `activation` → `fc2` →
    /// `gate` → scale the input (SiLU/sigmoid in EfficientNet, ReLU/hardsigmoid in MobileNetV3).
    mutating func squeezeExcitation(
        _ name: String, _ x: ValueID, channels: Int, squeeze: Int,
        activation: Activation, gate: Activation
    ) throws -> ValueID {
        var s = globalAvgPool(x, name: "\(name).avgpool")
        s = try conv2d("\(name).fc1", s, in: channels, out: squeeze, kernel: .square(1), bias: true)
        s = self.activation(activation, s, name: "\(name).activation")
        s = try conv2d("\(name).fc2", s, in: squeeze, out: channels, kernel: .square(1), bias: true)
        s = self.activation(gate, s, name: "\(name).scale_activation")
        return scale(x, by: s, name: name)
    }

    mutating func flatten(_ x: ValueID, name: String) -> ValueID {
        graph.add(.flatten, [x], name: name)
    }

    mutating func channelAffine(_ x: ValueID, scale: [Float], shift: [Float], name: String) -> ValueID {
        graph.add(.channelAffine(scale: scale, shift: shift, activation: .identity), [x], name: name)
    }

    /// Names a stage output so a run can read it back (`layer3`, `Mixed_6e`, `features.4`).
    mutating func tap(_ x: ValueID, as name: String) {
        graph.tap(x, as: name)
    }

    /// Makes `x` the network's output and hands back the graph.
    mutating func finish(output x: ValueID) -> Graph {
        graph.output = x
        return graph
    }
}
