import Foundation
import PthCheckpoint
import PthModels
import PthNumpy

/// One model under `fixtures/models/` as `tools/fixtures/models.py` or `zoo.py` wrote it: its weights (a
/// checkpoint, or for the networks too big to commit a `ZooRecipe`), inputs, PyTorch's logits, and per-channel
/// means of each stage output.
struct ModelFixture: Decodable {
    let model: String
    /// The checkpoint, relative to `directory`; nil when the weights come from `recipe`.
    let weights: String?
    /// The `ZooRecipe` the state dict is rebuilt from, relative to `directory`, for a network without a checkpoint.
    let recipe: String?
    let dtype: String
    /// The precision of PyTorch's forward pass that gave the reference logits and taps: `float64` for a network
    /// whose float32 logits PyTorch itself computes too far from float64 to test against (zoo.py's
    /// `FLOAT64_REFERENCE`), float32 when absent.
    let reference: String?
    /// Input name (`random`, `photos`) → path under `fixtures/models/`.
    let inputs: [String: String]
    /// Tap names in execution order.
    let taps: [String]

    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/models")

    init(_ model: String) throws {
        let data = try Data(contentsOf: Self.directory.appendingPathComponent("\(model)/manifest.json"))
        self = try JSONDecoder().decode(ModelFixture.self, from: data)
    }

    /// The checkpoint's path (the fixture must have one).
    var weightsPath: String { Self.directory.appendingPathComponent(weights!).path }

    /// The network built once per entry of `threads`: from the checkpoint as `Network(contentsOf:)` reads it as
    /// `model`, or from the state dict the recipe rebuilds (once, shared by all) as whichever architecture its keys
    /// and shapes are detected as, so a rebuilt network's test also checks that a user's checkpoint of it is detected.
    func networks(threads: [Int]) throws -> [Network] {
        guard let recipe else {
            return try threads.map { try Network(contentsOf: weightsPath, architecture: model, threads: $0) }
        }
        let stateDict = try ZooRecipe(recipe, in: Self.directory).stateDict(in: Self.directory)
        let architecture = try Architecture.detect(in: stateDict).0
        return try threads.map { try Network(stateDict: stateDict, architecture: architecture, threads: $0) }
    }

    func input(_ name: String) throws -> NpyArray {
        try NpyArray(contentsOf: Self.directory.appendingPathComponent(inputs[name]!).path)
    }

    func logits(_ input: String) throws -> NpyArray {
        try NpyArray(contentsOf: Self.directory.appendingPathComponent("\(model)/logits_\(input).npy").path)
    }

    /// `[N, C]` spatial means of tap `tap`'s output on `input`.
    func tapMeans(_ tap: String, input: String) throws -> NpyArray {
        try NpyArray(contentsOf: Self.directory.appendingPathComponent("\(model)/taps_\(input)/\(tap).npy").path)
    }
}
