import PthCheckpoint
import PthGraph

/// A torchvision classifier architecture: how to turn its state dict into a graph.
///
/// Families are parameters, not copies: `resNet(name:layers:…)`, `denseNet(…)`, `efficientNet(…)`
/// make any member; `all` lists the ones registered for lookup by name and detection.
public struct Architecture: Sendable {
    /// torchvision's function name (`resnet50`, `inception_v3`).
    public let name: String
    /// Side of the square input torchvision's preset crops to (224, 299).
    public let inputSize: Int
    /// Channels of the input image: 3 (RGB) for every ImageNet network, 1 for LeNet-5's grayscale digits.
    public let inputChannels: Int
    /// Keys a checkpoint may carry that the eval-mode network does not use (`AuxLogits.*`).
    let isIgnoredKey: @Sendable (String) -> Bool
    /// Maps a checkpoint key to the name the builder asks for, for layouts older than torchvision's
    /// current one (2017 DenseNet checkpoints); identity for everything else.
    let canonicalKey: @Sendable (String) -> String
    /// Whether the network re-normalises its ImageNet-normalised input to [-1, 1] first, as
    /// torchvision's `transform_input` does (Inception v3 and GoogLeNet); nil for architectures
    /// without that setting. A state dict does not record it: torchvision turns it on when it loads
    /// its pretrained weights and leaves it off for `weights=None`, so a network fine-tuned from
    /// scratch needs `settingTransformInput(false)`.
    public let transformInput: Bool?
    /// The same architecture with `transformInput` set, for those that have the setting.
    private let withTransformInput: (@Sendable (Bool) -> Architecture)?
    /// Walks the module tree, appending nodes; returns the logits value.
    let body: @Sendable (inout ModuleBuilder) throws -> ValueID

    init(
        name: String, inputSize: Int, inputChannels: Int = 3, ignoring isIgnoredKey: @escaping @Sendable (String) -> Bool = { _ in false },
        canonicalKey: @escaping @Sendable (String) -> String = { $0 },
        transformInput: (value: Bool, variant: @Sendable (Bool) -> Architecture)? = nil,
        body: @escaping @Sendable (inout ModuleBuilder) throws -> ValueID
    ) {
        self.name = name
        self.inputSize = inputSize
        self.inputChannels = inputChannels
        self.isIgnoredKey = isIgnoredKey
        self.canonicalKey = canonicalKey
        self.transformInput = transformInput?.value
        self.withTransformInput = transformInput?.variant
        self.body = body
    }

    /// This architecture with `transform_input` on or off (see `transformInput`), or nil when it has no
    /// such setting.
    public func settingTransformInput(_ value: Bool) -> Architecture? {
        withTransformInput?(value)
    }

    /// The unfrozen graph of this architecture with `stateDict`'s weights. Every expected key must
    /// be present with its expected shape and every other key must be ignorable
    /// (`num_batches_tracked`, or architecture-specific such as Inception's `AuxLogits.*`).
    /// Keys in a legacy layout the architecture knows are renamed first, as torchvision does on load.
    public func graph(from stateDict: StateDict) throws -> Graph {
        try build(with: StateDictParameters(stateDict.renamingKeys(canonicalKey), architecture: name, ignoring: isIgnoredKey))
    }

    /// The unfrozen graph with deterministic synthetic weights and `classes` outputs, for benchmarks.
    public func syntheticGraph(classes: Int = 1000) throws -> Graph {
        try build(with: SyntheticParameters(classes: classes))
    }

    private func build(with parameters: any ParameterSource) throws -> Graph {
        var builder = ModuleBuilder(parameters: parameters)
        let logits = try body(&builder)
        try builder.parameters.finish()
        return builder.finish(output: logits)
    }

    /// The tap holding a network's embedding: the input of its final Linear layer, `[N, features]` —
    /// what torchvision's model returns with that layer replaced by `nn.Identity()` (`model.fc` for ResNet,
    /// Inception and GoogLeNet, `model.classifier` for DenseNet, the last `classifier` entry for the others).
    public static let embeddingTap = "embedding"

    /// The architectures known by name and tried by detection, most used first (detection stops at the
    /// first exact match, and no two of them accept the same keys and shapes).
    public static let all: [Architecture] = [
        .resnet50, .inceptionV3(), .densenet121, .efficientnetB0,
        .resnet18, .resnet34, .resnet101, .resnet152, .resnext50_32x4d, .resnext101_32x8d, .wide_resnet50_2,
        .mobilenetV2, .mobilenetV3Large, .mobilenetV3Small,
        .vgg16, .vgg19, .vgg11, .vgg13, .vgg16BN, .vgg19BN, .vgg11BN, .vgg13BN,
        .densenet161, .densenet169, .densenet201, .googLeNet(), .alexnet,
        .efficientnetB1, .efficientnetB2, .efficientnetB3, .efficientnetB4, .efficientnetB5, .efficientnetB6, .efficientnetB7,
        .efficientnetLite0, .lenet5,
    ]

    /// The registered architecture called `name`.
    public static func named(_ name: String) throws -> Architecture {
        guard let architecture = all.first(where: { $0.name == name }) else {
            throw ModelError(name, "unknown architecture; known: \(all.map(\.name).joined(separator: ", "))")
        }
        return architecture
    }
}
