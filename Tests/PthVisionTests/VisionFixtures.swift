import Foundation
import PthVision

/// The image fixtures written by `tools/fixtures/images.py` and what PIL and torchvision made of them.
enum VisionFixtures {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures")

    /// Absolute path of `relative` under `fixtures/`.
    static func path(_ relative: String) -> String {
        root.appendingPathComponent(relative).path
    }

    /// One image's expectations: PIL's mode and size, hashes of PIL's RGB decode and of
    /// torchvision's uint8 resize+crop per preset, stored normalized tensors, plain resizes.
    struct Entry: Decodable {
        let mode: String
        let width: Int
        let height: Int
        let rgb: String
        let crops: [String: String]
        let tensors: [String: String]?
        let resizes: [Resize]?
    }

    /// A plain PIL `Image.resize` of an entry and the hash of its result.
    struct Resize: Decodable {
        let width: Int
        let height: Int
        let filter: String
        let rgb: String
    }

    /// `fixtures/preprocess/manifest.json`, keyed by path under `fixtures/`.
    static let manifest: [String: Entry] = {
        let data = try! Data(contentsOf: root.appendingPathComponent("preprocess/manifest.json"))
        return try! JSONDecoder().decode([String: Entry].self, from: data)
    }()

    /// The presets the manifest's crops were made with, by manifest name.
    static func preset(_ name: String) -> PreprocessingPreset? {
        if name == "padded_64_81_bicubic" {
            return PreprocessingPreset(
                model: name, weights: "test", checkpointFileName: "", resizeSize: 64, cropSize: 81,
                interpolation: .bicubic, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
        }
        return PreprocessingPreset.named(name)
    }

    /// FNV-1a 64 of `bytes` in 16 hex digits, the manifest's hash.
    static func fnv1a64(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
