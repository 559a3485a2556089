import PthVision
import XCTest

/// Every good fixture decodes to exactly the RGB bytes of PIL's `Image.open(f).convert("RGB")`.
final class DecoderParityTests: XCTestCase {
    func testEveryFixtureDecodesLikePIL() throws {
        XCTAssertGreaterThan(VisionFixtures.manifest.count, 30)
        let decoder = ImageDecoder()
        for (relative, expected) in VisionFixtures.manifest.sorted(by: { $0.key < $1.key }) {
            let image = try decoder.decode(contentsOf: VisionFixtures.path(relative))
            XCTAssertEqual(image.width, expected.width, relative)
            XCTAssertEqual(image.height, expected.height, relative)
            XCTAssertEqual(VisionFixtures.fnv1a64(image.pixels), expected.rgb, "\(relative) (PIL mode \(expected.mode)) decodes differently from PIL")
        }
    }

    func testModesCoveredIncludeEveryPILConversion() {
        let modes = Set(VisionFixtures.manifest.values.map(\.mode))
        XCTAssertEqual(modes, ["1", "L", "LA", "I;16", "P", "RGB", "RGBA", "CMYK"])
    }
}
