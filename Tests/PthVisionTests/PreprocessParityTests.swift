import Foundation
import PthNumpy
import PthVision
import XCTest

/// Resize + center crop equal torchvision's on PIL images byte for byte, and the normalized
/// tensors match torchvision's float32 results.
final class PreprocessParityTests: XCTestCase {
    func testCropsMatchTorchvisionExactly() throws {
        let decoder = ImageDecoder()
        var checked = 0
        for (relative, expected) in VisionFixtures.manifest.sorted(by: { $0.key < $1.key }) {
            let image = try decoder.decode(contentsOf: VisionFixtures.path(relative))
            for (presetName, hash) in expected.crops.sorted(by: { $0.key < $1.key }) {
                let preset = try XCTUnwrap(VisionFixtures.preset(presetName), presetName)
                let crop = ImagePreprocessor(preset: preset).croppedImage(image)
                XCTAssertEqual(crop.width, preset.cropSize)
                XCTAssertEqual(crop.height, preset.cropSize)
                XCTAssertEqual(VisionFixtures.fnv1a64(crop.pixels), hash, "\(relative) with \(presetName): uint8 crop differs from torchvision")
                checked += 1
            }
        }
        XCTAssertEqual(checked, VisionFixtures.manifest.count * 4)
    }

    func testPlainResizesMatchPIL() throws {
        let entry = try XCTUnwrap(VisionFixtures.manifest["images/chelsea.png"])
        let image = try ImageDecoder().decode(contentsOf: VisionFixtures.path("images/chelsea.png"))
        let resizes = try XCTUnwrap(entry.resizes)
        XCTAssertEqual(resizes.count, 10)
        for resize in resizes {
            let filter = try XCTUnwrap(Interpolation(rawValue: resize.filter))
            let ours = image.resized(width: resize.width, height: resize.height, filter: filter)
            XCTAssertEqual(VisionFixtures.fnv1a64(ours.pixels), resize.rgb, "\(resize.width)x\(resize.height) \(resize.filter)")
        }
    }

    func testNormalizedTensorsMatchTorchvision() throws {
        var checked = 0
        for (relative, expected) in VisionFixtures.manifest {
            for (presetName, tensorPath) in expected.tensors ?? [:] {
                let preset = try XCTUnwrap(VisionFixtures.preset(presetName))
                let reference = try NpyArray(contentsOf: VisionFixtures.path(tensorPath))
                XCTAssertEqual(reference.shape, [1, 3, preset.cropSize, preset.cropSize])
                let ours = try ImagePreprocessor(preset: preset).tensor(forImageAt: VisionFixtures.path(relative))
                XCTAssertEqual(ours.count, reference.values.count)
                let maxDifference = zip(ours, reference.values).map { abs($0 - $1) }.max() ?? .infinity
                XCTAssertLessThanOrEqual(maxDifference, 1e-6, "\(relative) with \(presetName)")
                checked += 1
            }
        }
        XCTAssertEqual(checked, 2)
    }

    func testOnePreprocessorServesManyThreads() throws {
        let preprocessor = ImagePreprocessor(preset: try XCTUnwrap(PreprocessingPreset.named("efficientnet_b0")))
        let entries = VisionFixtures.manifest.sorted(by: { $0.key < $1.key })
        let results = ResultSlots(count: entries.count)
        DispatchQueue.concurrentPerform(iterations: entries.count) { index in
            let image = try? preprocessor.decoder.decode(contentsOf: VisionFixtures.path(entries[index].key))
            results.set(index, image.map { VisionFixtures.fnv1a64(preprocessor.croppedImage($0).pixels) })
        }
        for (index, entry) in entries.enumerated() {
            XCTAssertEqual(results.get(index), entry.value.crops["efficientnet_b0"], entry.key)
        }
    }

    func testResizeTargetFollowsTorchvisionRounding() throws {
        let preprocessor = ImagePreprocessor(preset: try XCTUnwrap(PreprocessingPreset.named("inception_v3")))
        // int(342 * 451 / 300) = int(514.14) = 514; the short side is exactly 342.
        XCTAssertTrue(preprocessor.resizedSize(width: 451, height: 300) == (514, 342))
        XCTAssertTrue(preprocessor.resizedSize(width: 7, height: 240) == (342, 11725))
    }
}

/// Results written by concurrent workers, one slot each (Sendable without the compiler's proof:
/// `values` is only touched under `lock`).
private final class ResultSlots: @unchecked Sendable {
    private var values: [String?]
    private let lock = NSLock()

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: String?) { lock.withLock { values[index] = value } }

    func get(_ index: Int) -> String? { lock.withLock { values[index] } }
}
