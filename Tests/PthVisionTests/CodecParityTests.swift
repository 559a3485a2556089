import Foundation
import PthNumpy
import PthVision
import XCTest

/// Every WebP, BMP, TIFF and GIF fixture decodes to exactly the RGB bytes of PIL's
/// `Image.open(f).convert("RGB")`, and preprocesses to torchvision's crops and tensors.
final class CodecParityTests: XCTestCase {
    func testEveryCodecFixtureDecodesLikePIL() throws {
        XCTAssertGreaterThan(CodecFixtures.images.count, 70)
        let decoder = ImageDecoder()
        for (relative, expected) in CodecFixtures.images {
            let image: RGBImage
            do {
                image = try decoder.decode(contentsOf: VisionFixtures.path(relative))
            } catch {
                XCTFail("\(relative) (PIL mode \(expected.mode)): \(error)")
                continue
            }
            let reference = [UInt8](try Data(contentsOf: URL(fileURLWithPath: VisionFixtures.path(expected.rgb))))
            XCTAssertEqual(image.width, expected.width, relative)
            XCTAssertEqual(image.height, expected.height, relative)
            guard image.pixels.count == reference.count else { continue }
            if let first = image.pixels.indices.first(where: { image.pixels[$0] != reference[$0] }) {
                let pixel = first / 3, x = pixel % image.width, y = pixel / image.width
                XCTFail(
                    "\(relative) (PIL mode \(expected.mode)): pixel (\(x), \(y)) is \(image.pixels[3 * pixel..<3 * pixel + 3].map { $0 }), PIL has \(reference[3 * pixel..<3 * pixel + 3].map { $0 })"
                )
            }
        }
    }

    func testFixturesCoverEveryModePILOpensEachFormatAs() {
        var modes: [String: Set<String>] = [:]
        for (relative, expected) in CodecFixtures.images {
            modes[String(relative.split(separator: ".").last!), default: []].insert(expected.mode)
        }
        XCTAssertEqual(modes["webp"], ["RGB", "RGBA"])
        XCTAssertEqual(modes["bmp"], ["1", "L", "P", "RGB", "RGBA"])
        XCTAssertEqual(modes["tif"], ["1", "L", "LA", "P", "PA", "RGB", "RGBA", "CMYK", "I;16", "I;16B", "I", "F"])
        XCTAssertEqual(modes["gif"], ["L", "P"])
    }

    func testCropsMatchTorchvisionExactly() throws {
        var checked = 0
        for (relative, expected) in CodecFixtures.images {
            let image = try ImageDecoder().decode(contentsOf: VisionFixtures.path(relative))
            for (presetName, hash) in expected.crops.sorted(by: { $0.key < $1.key }) {
                let preset = try XCTUnwrap(PreprocessingPreset.named(presetName), presetName)
                let crop = ImagePreprocessor(preset: preset).croppedImage(image)
                XCTAssertEqual(VisionFixtures.fnv1a64(crop.pixels), hash, "\(relative) with \(presetName): uint8 crop differs from torchvision")
                checked += 1
            }
        }
        XCTAssertEqual(checked, CodecFixtures.images.count * 2)
    }

    /// A WebP and a JPEG-compressed TIFF through the whole preprocessing path, against
    /// torchvision's `ImageClassification(crop_size=24, resize_size=28)` tensor.
    func testNormalizedTensorsMatchTorchvision() throws {
        let preset = PreprocessingPreset(
            model: "codec_fixture", weights: "test", checkpointFileName: "", resizeSize: 28, cropSize: 24,
            interpolation: .bilinear, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
        var checked: [String] = []
        for (relative, expected) in CodecFixtures.images {
            guard let tensorPath = expected.tensor else { continue }
            let reference = try NpyArray(contentsOf: VisionFixtures.path(tensorPath))
            XCTAssertEqual(reference.shape, [1, 3, 24, 24])
            let ours = try ImagePreprocessor(preset: preset).tensor(forImageAt: VisionFixtures.path(relative))
            XCTAssertEqual(ours.count, reference.values.count)
            let maxDifference = zip(ours, reference.values).map { abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThanOrEqual(maxDifference, 1e-6, relative)
            checked.append(relative)
        }
        XCTAssertEqual(checked, ["codecs/tiff_rgb_jpeg.tif", "codecs/webp_lossy.webp"])
    }
}
