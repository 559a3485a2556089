import Foundation
import PthVision
import XCTest

/// Corrupted copies of every codec fixture (bytes flipped, header fields overwritten, tails cut)
/// either decode or fail with a one-line `ImageError` naming the file, and never allocate past a
/// small pixel cap: the decoders' checks hold on input no writer produced.
final class CodecMutationTests: XCTestCase {
    func testCorruptedFilesDecodeOrFailInOneLine() throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return state
        }
        let decoder = ImageDecoder(maxPixels: 1 << 16)
        var outcomes = (decoded: 0, refused: 0)
        for (relative, _) in CodecFixtures.images {
            let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: VisionFixtures.path(relative))))
            for round in 0..<60 {
                var bytes = original
                for _ in 0...(next() % 8) {
                    // Anywhere, or within the first 64 bytes where the headers are.
                    let at = Int(next() % UInt64(round % 2 == 0 ? bytes.count : min(bytes.count, 64)))
                    bytes[at] = round % 3 == 0 ? [0, 0x7F, 0x80, 0xFF][Int(next() % 4)] : bytes[at] ^ UInt8(truncatingIfNeeded: next() | 1)
                }
                if next() % 4 == 0 { bytes.removeLast(Int(next() % UInt64(bytes.count))) }
                do {
                    let image = try decoder.decode(bytes, path: relative)
                    XCTAssertEqual(image.pixels.count, image.width * image.height * 3)
                    outcomes.decoded += 1
                } catch let error as ImageError {
                    XCTAssertEqual(error.path, relative)
                    XCTAssertFalse(error.description.contains("\n"), error.description)
                    outcomes.refused += 1
                }
            }
        }
        // Both outcomes are exercised in earnest.
        XCTAssertGreaterThan(outcomes.decoded, 1000)
        XCTAssertGreaterThan(outcomes.refused, 1000)
    }
}
