import Foundation
import XCTest
import PthCheckpoint

/// Inputs the libFuzzer target (tools/fuzz_loader.sh) once crashed on, kept in fixtures/fuzz-regressions/.
final class FuzzRegressionTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/fuzz-regressions")

    /// A tar checkpoint whose int64 tensor has shape [216172782113783810, 0] at an offset past its storage:
    /// torch accepts any offset on an empty tensor, so reading it must not slice the storage (it trapped).
    func testEmptyTensorWithHugeDimensionAndOffsetReadsAsEmpty() throws {
        let checkpoint = try Checkpoint(contentsOf: Self.folder.appendingPathComponent("tar_empty_tensor_huge_dim.pth").path)
        let stateDict = try checkpoint.stateDict()
        let empty = try XCTUnwrap(stateDict["int64"])
        XCTAssertEqual(empty.shape, [216172782113783810, 0])
        XCTAssertEqual(empty.count, 0)
        XCTAssertTrue(empty.isContiguous)
        XCTAssertEqual(empty.contiguousBytes(), [])
        XCTAssertEqual(empty.floats(), [])
        XCTAssertEqual(empty.withContiguousFloats { $0.count }, 0)
        for entry in stateDict.entries {
            XCTAssertEqual(entry.tensor.contiguousBytes().count, entry.tensor.count * entry.tensor.dtype.byteSize, entry.name)
            XCTAssertEqual(entry.tensor.floats().count, entry.tensor.count, entry.name)
        }
    }
}
