import Foundation

/// The WebP, BMP, TIFF and GIF fixtures written by `tools/fixtures/codecs.py` and what PIL and
/// torchvision made of them (`fixtures/codecs/manifest.json`).
enum CodecFixtures {
    /// One image: PIL's mode and size, the file of PIL's RGB bytes, torchvision's uint8
    /// resize+crop hashes per preset, and for a few the normalized tensor of the small preset.
    struct Image: Decodable {
        let mode: String
        let width: Int
        let height: Int
        let rgb: String
        let crops: [String: String]
        let tensor: String?
    }

    struct Manifest: Decodable {
        let images: [String: Image]
        /// Broken file under `fixtures/broken/` → PIL's own error, nil where PIL reads the file.
        let broken: [String: String?]
    }

    static let manifest: Manifest = {
        let data = try! Data(contentsOf: VisionFixtures.root.appendingPathComponent("codecs/manifest.json"))
        return try! JSONDecoder().decode(Manifest.self, from: data)
    }()

    /// The images sorted by name, as (path under `fixtures/`, expectations).
    static var images: [(path: String, image: Image)] {
        manifest.images.sorted { $0.key < $1.key }.map { ("codecs/\($0.key)", $0.value) }
    }
}
