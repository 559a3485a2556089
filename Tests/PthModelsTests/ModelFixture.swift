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

    /// Where the manifest was found: `directory`, or the full zoo's fixture folder.
    private(set) var root = Self.directory

    /// The fixtures `tools/fixtures/zoo.py` writes outside the repository for the big networks
    /// (`PTH_FULL_ZOO=1`): `$PTH_ZOO_FIXTURES`, or `~/.cache/swift-pth/zoo-fixtures`.
    static var fullZooDirectory: URL {
        if let path = ProcessInfo.processInfo.environment["PTH_ZOO_FIXTURES"] { return URL(fileURLWithPath: path) }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/swift-pth/zoo-fixtures")
    }

    private enum CodingKeys: String, CodingKey { case model, weights, dtype, inputs, taps }

    init(_ model: String, in root: URL = directory) throws {
        let data = try Data(contentsOf: root.appendingPathComponent("\(model)/manifest.json"))
        self = try JSONDecoder().decode(ModelFixture.self, from: data)
        self.root = root
    }

    var weightsPath: String { root.appendingPathComponent(weights).path }

    func input(_ name: String) throws -> NpyArray {
        try NpyArray(contentsOf: root.appendingPathComponent(inputs[name]!).path)
    }

    func logits(_ input: String) throws -> NpyArray {
        try NpyArray(contentsOf: root.appendingPathComponent("\(model)/logits_\(input).npy").path)
    }

    /// `[N, C]` spatial means of tap `tap`'s output on `input`.
    func tapMeans(_ tap: String, input: String) throws -> NpyArray {
        try NpyArray(contentsOf: root.appendingPathComponent("\(model)/taps_\(input)/\(tap).npy").path)
    }
}
