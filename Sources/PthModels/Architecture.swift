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
    /// Keys a checkpoint may carry that the eval-mode network does not use (`AuxLogits.*`).
    let isIgnoredKey: @Sendable (String) -> Bool
    /// Walks the module tree, appending nodes; returns the logits value.
    let body: @Sendable (inout ModuleBuilder) throws -> ValueID

    init(name: String, inputSize: Int, ignoring isIgnoredKey: @escaping @Sendable (String) -> Bool = { _ in false },
         body: @escaping @Sendable (inout ModuleBuilder) throws -> ValueID) {
        self.name = name
        self.inputSize = inputSize
        self.isIgnoredKey = isIgnoredKey
        self.body = body
    }

    /// The unfrozen graph of this architecture with `stateDict`'s weights. Every expected key must
    /// be present with its expected shape and every other key must be ignorable
    /// (`num_batches_tracked`, or architecture-specific such as Inception's `AuxLogits.*`).
    public func graph(from stateDict: StateDict) throws -> Graph {
        try build(with: StateDictParameters(stateDict, architecture: name, ignoring: isIgnoredKey))
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

    /// The architectures known by name and tried by detection.
    public static let all: [Architecture] = [.resnet50, .inceptionV3(), .densenet121, .efficientnetB0]

    /// The registered architecture called `name`.
    public static func named(_ name: String) throws -> Architecture {
        guard let architecture = all.first(where: { $0.name == name }) else {
            throw ModelError(name, "unknown architecture; known: \(all.map(\.name).joined(separator: ", "))")
        }
        return architecture
    }
}
