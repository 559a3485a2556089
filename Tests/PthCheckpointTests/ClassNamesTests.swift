import Foundation
import PthCheckpoint
import XCTest

/// Class names saved beside the weights, in each shape training scripts use, as PyTorch wrote them
/// (`fixtures/finetuned/names/`, written by `tools/fixtures/finetuned.py`).
final class ClassNamesTests: XCTestCase {
    private func fixturePath(_ relative: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fixtures/\(relative)").path
    }

    private func checkpoint(_ name: String) throws -> Checkpoint {
        try Checkpoint(contentsOf: fixturePath("finetuned/names/\(name).pth"))
    }

    func testEveryShapeGivesTheNamesInIndexOrder() throws {
        let shapes = [
            "class_to_idx": "class_to_idx", "classes_list": "classes", "idx_to_class_int": "idx_to_class",
            "idx_to_class_str": "idx_to_class", "labels_tuple": "labels",
        ]
        for (file, key) in shapes {
            XCTAssertEqual(try checkpoint(file).classNames(), CheckpointClassNames(key: key, names: ["cat", "dog", "horse"]), file)
        }
    }

    func testTheFineTunedCheckpointCarriesItsNames() throws {
        let names = try XCTUnwrap(try Checkpoint(contentsOf: fixturePath("finetuned/resnet18_pets.pth")).classNames())
        XCTAssertEqual(names.key, "class_to_idx")
        XCTAssertEqual(names.names.count, 10)
        XCTAssertEqual(names.names[3], "beagle")
        XCTAssertNil(try Checkpoint(contentsOf: fixturePath("finetuned/resnet18_gray.pth")).classNames())
    }

    func testMalformedNamesAreErrorsNamingTheKey() throws {
        let cases = [
            "duplicate_index": "class_to_idx: gives index 0 twice",
            "missing_index": "class_to_idx: names 3 classes but none has index 2",
            "not_names": "classes: entry 0 is not text",
        ]
        for (file, message) in cases {
            XCTAssertThrowsError(try checkpoint(file).classNames(), file) { error in
                XCTAssertEqual("\(error)", message)
            }
        }
    }
}
