import Foundation
import PthNumpy

/// One model under `fixtures/models/` as `tools/fixtures/models.py` wrote it: checkpoint, inputs,
/// PyTorch's logits, and per-channel means of each stage output.
struct ModelFixture: Decodable {
    let model: String
    let weights: String
    let dtype: String
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

    var weightsPath: String { Self.directory.appendingPathComponent(weights).path }

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
