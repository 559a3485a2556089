import PthVision
import XCTest

/// Broken WebP, BMP, TIFF and GIF files fail with one line naming the file and the problem; lying
/// headers are refused before any pixel buffer exists; what PIL refuses is refused too.
final class CodecBrokenTests: XCTestCase {
    private func message(decoding relative: String) -> String? {
        let path = VisionFixtures.path(relative)
        do {
            _ = try ImageDecoder().decode(contentsOf: path)
            XCTFail("\(relative) decoded")
        } catch let error as ImageError {
            XCTAssertEqual(error.path, path)
            XCTAssertFalse(error.description.contains("\n"), error.description)
            return error.message
        } catch {
            XCTFail("\(relative): unexpected \(error)")
        }
        return nil
    }

    func testBrokenFilesReportWhy() {
        let expectations = [
            "truncated.webp": "invalid WebP: libwebp cannot parse its container (truncated or corrupt)",
            "truncated.bmp": "invalid BMP: file is truncated: 13 rows of 51 bytes need 675 bytes from offset 54, it has 493",
            "truncated.tif": "invalid TIFF: strip 0 does not decode: Read error on strip 0; got 462 bytes, expected 663",
            "truncated_directory.tif": "invalid TIFF: cannot open: Can not read TIFF directory",
            "truncated.gif": "invalid GIF: file is truncated",
            "not_a_webp.webp": "invalid WebP: libwebp cannot parse its container (truncated or corrupt)",
            "rle_stops_early.bmp": "invalid BMP: the run-length data sets 4 of 12 pixels (PIL refuses it too)",
            "bitfields_unknown.bmp": "BMP bitfields layout 0xff00/0xff/0xff0000/0x0 of 32-bit pixels is not read (PIL refuses it too)",
            "depth_2bit.bmp": "BMP pixel depth of 2 bits is not read (PIL refuses it too)",
            "grey_palette_4bit.bmp":
                "BMP of 4-bit pixels with a palette of 16 greys is not read (PIL reads such pixels as 8-bit, so misreads or refuses the file)",
            "no_image.gif": "invalid GIF: no image before the end of the file",
            "empty_frame.gif": "invalid GIF: the first frame is 3x0 pixels (PIL refuses it too)",
            // PIL converts uncompressed YCbCr with its own table; swift-pth refuses it by design.
            "ycbcr_raw.tif": "TIFF layout not read: photometric 6, 3 samples of 8 bits, sample format 1, extra samples [] (YCbCr is read only JPEG-compressed)",
        ]
        for (name, expected) in expectations {
            XCTAssertEqual(message(decoding: "broken/\(name)"), expected, name)
        }
    }

    func testLyingHeadersAreRefusedBeforeAllocating() {
        for (name, size) in [
            "huge_header.bmp": "30000x30000", "huge_header.gif": "30000x30000", "huge_header.tif": "30000x30000",
            "huge_header.webp": "16384x16384",
        ] {
            XCTAssertEqual(
                message(decoding: "broken/\(name)"),
                "image is \(size) pixels, more than the limit of 178956970 (possible decompression bomb; raise the pixel limit to read it)", name)
        }
    }

    /// Every broken file is one PIL refuses as well, but for the YCbCr TIFF (refused by design) and
    /// the 4-bit BMP with a grey palette, whose packed pixels PIL reads as bytes.
    func testPILRefusesTheBrokenFilesToo() {
        let readByPIL = CodecFixtures.manifest.broken.filter { $0.value == nil }.map(\.key).sorted()
        XCTAssertEqual(readByPIL, ["grey_palette_4bit.bmp", "ycbcr_raw.tif"])
        XCTAssertEqual(CodecFixtures.manifest.broken.count, 17)
    }
}
