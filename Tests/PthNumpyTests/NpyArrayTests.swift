import PthNumpy
import XCTest

final class NpyArrayTests: XCTestCase {
    func testRoundTripKeepsShapeAndValues() throws {
        let array = NpyArray(shape: [2, 3, 1, 2], values: (0..<12).map { Float($0) * 0.5 - 3 })
        let bytes = array.npyBytes()
        XCTAssertEqual((Int(bytes[8]) + 10) % 64, 0, "header padded to 64 bytes")
        XCTAssertEqual(Int(bytes[8]) + 10, bytes.count - 48, "header padded so data starts on a 64-byte boundary")
        XCTAssertEqual(try NpyArray(npyBytes: bytes), array)
    }

    func testReadsWhatNumpyWrites() throws {
        // numpy.save of np.array([[1.5, -2.0]], dtype=np.float32), byte for byte.
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, 118, 0]
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }"
        header += String(repeating: " ", count: 118 - header.utf8.count - 1) + "\n"
        bytes += Array(header.utf8)
        bytes += [0x00, 0x00, 0xC0, 0x3F, 0x00, 0x00, 0x00, 0xC0]
        let array = try NpyArray(npyBytes: bytes)
        XCTAssertEqual(array.shape, [1, 2])
        XCTAssertEqual(array.values, [1.5, -2.0])
    }

    func testRejectsFloat64WithDtypeInMessage() {
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, 54, 0]
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }"
        header += String(repeating: " ", count: max(0, 54 - header.utf8.count - 1)) + "\n"
        bytes += Array(header.utf8) + [UInt8](repeating: 0, count: 8)
        XCTAssertThrowsError(try NpyArray(npyBytes: bytes, path: "x.npy")) { error in
            XCTAssertTrue("\(error)".hasPrefix("x.npy: dtype '<f8'"), "\(error)")
        }
    }

    func testRejectsDataShorterThanShape() {
        var array = NpyArray(shape: [4], values: [1, 2, 3, 4]).npyBytes()
        array.removeLast(4)
        XCTAssertThrowsError(try NpyArray(npyBytes: array))
    }

    static func npy(header: String, data: [UInt8] = []) -> [UInt8] {
        let length = header.utf8.count
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(header.utf8) + data
    }

    /// Found by the .npy fuzz target (tools/fuzz_loader.sh npy): an element count whose byte size
    /// overflows Int trapped instead of being refused.
    func testShapeWhoseByteSizeOverflowsIsRefused() {
        let bytes = Self.npy(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (2305843009213693952,), }\n")
        XCTAssertThrowsError(try NpyArray(npyBytes: bytes, path: "x.npy")) { error in
            XCTAssertEqual("\(error)", "x.npy: shape [2305843009213693952] needs 2305843009213693952 float32 values, file has 0 bytes of data")
        }
    }

    /// Found by the .npy fuzz target: header text quoted in an error kept its newlines.
    func testHeaderTextInAnErrorStaysOnOneLine() {
        let bytes = Self.npy(header: "{'descr': '<f4'\n    1\n], 'fortran_order': False, 'shape': (1,), }\n", data: [0, 0, 0, 0])
        XCTAssertThrowsError(try NpyArray(npyBytes: bytes, path: "x.npy")) { error in
            XCTAssertEqual("\(error)", "x.npy: dtype '<f4'\\n    1\\n] is not little-endian float32 ('<f4'); convert with .astype(numpy.float32)")
        }
    }
}
