import PthVision
import XCTest

/// Files that are not readable images fail with one line naming the file and the problem.
final class BrokenImageTests: XCTestCase {
    private func error(decoding relative: String, maxPixels: Int = ImageDecoder.defaultMaxPixels) -> ImageError? {
        let path = VisionFixtures.path(relative)
        do {
            _ = try ImageDecoder(maxPixels: maxPixels).decode(contentsOf: path)
            XCTFail("\(relative) decoded")
            return nil
        } catch let error as ImageError {
            XCTAssertEqual(error.path, path)
            XCTAssertFalse(error.description.contains("\n"), error.description)
            return error
        } catch {
            XCTFail("\(relative): unexpected \(error)")
            return nil
        }
    }

    func testBrokenFilesReportWhy() {
        let expectations = [
            "broken/truncated.jpg": "invalid JPEG: Premature end of JPEG file",
            "broken/truncated.png": "invalid PNG: file is truncated",
            "broken/empty.jpg": "file is empty",
            "broken/not_an_image.jpg": "not a JPEG, PNG, WebP, BMP, TIFF or GIF image",
            "broken/bad_crc.png": "invalid PNG: IHDR: CRC error",
            "broken/missing.png": "No such file or directory",
        ]
        for (relative, message) in expectations {
            XCTAssertEqual(error(decoding: relative)?.message, message, relative)
        }
    }

    func testLyingHeadersAreRefusedBeforeAllocating() {
        for relative in ["broken/huge_header.png", "broken/huge_header.jpg"] {
            XCTAssertEqual(
                error(decoding: relative)?.message,
                "image is 30000x30000 pixels, more than the limit of 178956970 (possible decompression bomb; raise the pixel limit to read it)",
                relative)
        }
    }

    func testPixelCapIsConfigurable() throws {
        // chelsea.png is 451x300 = 135,300 pixels.
        XCTAssertNotNil(error(decoding: "images/chelsea.png", maxPixels: 135_299))
        XCTAssertEqual(try ImageDecoder(maxPixels: 135_300).decode(contentsOf: VisionFixtures.path("images/chelsea.png")).width, 451)
    }

    func testDirectoryIsNotAnImage() {
        XCTAssertEqual(error(decoding: "images")?.message, "not a regular file")
    }
}
