import Foundation
import PthCheckpoint
import XCTest

/// Inputs the libFuzzer targets (tools/fuzz_loader.sh) once crashed or timed out on, kept in fixtures/fuzz-regressions/.
final class FuzzRegressionTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/fuzz-regressions")

    /// A tar checkpoint whose int64 tensor has shape [216172782113783810, 0] at an offset past its storage:
    /// torch accepts any offset on an empty tensor, so reading it must not slice the storage (it trapped).
    func testEmptyTensorWithHugeDimensionAndOffsetReadsAsEmpty() throws {
        let checkpoint = try Checkpoint(contentsOf: Self.folder.appendingPathComponent("tar_empty_tensor_huge_dim.pth").path)
        let stateDict = try checkpoint.stateDict()
        let empty = try XCTUnwrap(stateDict["int64"])
        XCTAssertEqual(empty.shape, [216_172_782_113_783_810, 0])
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

    /// A 1.6 KB zip from the structure-aware target whose containers are shared along a deep path: finding
    /// its one dict of tensors and then looking that dict up again by its dotted path took cubic time in
    /// the path's length (6 s under the sanitizer). The search now keeps the value it found.
    func testSharedContainersAlongADeepPathLoadWithoutLookingThePathUpAgain() throws {
        let checkpoint = try Checkpoint(contentsOf: Self.folder.appendingPathComponent("zip_shared_containers_unfold.pth").path)
        XCTAssertEqual(checkpoint.opaqueObjects, ["os.system"])
        let selection = try checkpoint.selectStateDict()
        XCTAssertEqual(selection.choice.reason, .onlyCandidate)
        XCTAssertEqual(selection.stateDict.count, 1)
        XCTAssertEqual(try checkpoint.tensorsByPath().map(\.path), [selection.choice.path + "." + selection.stateDict.names[0]])
    }
}
