import Foundation
import PthVision
import XCTest

/// `--labels` files in each accepted form, their errors, and which names a run uses.
final class ClassLabelsTests: XCTestCase {
    private func file(_ name: String, _ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pth-labels-\(getpid())-\(name)").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testEveryFormReadsTheSameNames() throws {
        let forms = [
            "lines.txt": "cat\ndog\nhorse\n",
            "crlf.txt": "cat\r\ndog\r\nhorse",
            "list.json": #"["cat", "dog", "horse"]"#,
            "index_to_name.json": #"{"2": "horse", "0": "cat", "1": "dog"}"#,
            "name_to_index.json": #"{"dog": 1, "horse": 2, "cat": 0}"#,
        ]
        for (name, text) in forms {
            XCTAssertEqual(try ClassLabels.read(contentsOf: try file(name, text)), ["cat", "dog", "horse"], name)
        }
        // Names keep their inner spaces and punctuation; a JSON-looking name in a text file is still text.
        XCTAssertEqual(
            try ClassLabels.read(contentsOf: try file("spaces.txt", "great white shark\nEgyptian cat, tabby\n")),
            ["great white shark", "Egyptian cat, tabby"])
    }

    func testMalformedFilesNameTheProblem() throws {
        let cases = [
            ("empty.txt", "\n\n", "labels file is empty"),
            ("blank.txt", "cat\n\ndog\n", "line 2 is empty"),
            ("broken.json", "[\"cat\", ", "not valid JSON"),
            ("numbers.json", "[1, 2]", "entry 0 of the JSON list is not a string"),
            ("gap.json", #"{"0": "cat", "2": "dog"}"#, "names 2 classes but none has index 1"),
            ("twice.json", #"{"cat": 0, "dog": 0}"#, "index 0 is named twice"),
            ("nested.json", #"{"cat": [0]}"#, "entry \"cat\" maps neither"),
        ]
        for (name, text, message) in cases {
            let path = try file(name, text)
            XCTAssertThrowsError(try ClassLabels.read(contentsOf: path), name) { error in
                XCTAssertTrue("\(error)".hasPrefix(path + ": "), "\(error)")
                XCTAssertTrue("\(error)".contains(message), "\(name): \(error)")
            }
        }
        XCTAssertThrowsError(try ClassLabels.read(contentsOf: "/nonexistent/labels.txt")) { error in
            XCTAssertEqual("\(error)", "/nonexistent/labels.txt: labels file does not exist")
        }
    }

    func testPrecedenceAndCountCheck() throws {
        let path = try file("three.txt", "a\nb\nc\n")
        XCTAssertEqual(
            try ClassLabels.resolve(file: path, checkpoint: ("classes", ["x", "y", "z"]), classes: 3),
            ClassLabels(names: ["a", "b", "c"], source: "--labels \(path)"))
        XCTAssertEqual(
            try ClassLabels.resolve(file: nil, checkpoint: ("class_to_idx", ["x", "y", "z"]), classes: 3).source,
            "checkpoint's class_to_idx")
        XCTAssertEqual(try ClassLabels.resolve(file: nil, checkpoint: nil, classes: 1000).names.first, "tench")
        XCTAssertEqual(try ClassLabels.resolve(file: nil, checkpoint: nil, classes: 10), ClassLabels(names: [], source: "none (class N)"))
        XCTAssertThrowsError(try ClassLabels.resolve(file: path, checkpoint: nil, classes: 10)) { error in
            XCTAssertEqual("\(error)", "--labels \(path): gives 3 class names, but the network has 10 classes")
        }
        XCTAssertThrowsError(try ClassLabels.resolve(file: nil, checkpoint: ("classes", ["x"]), classes: 1000)) { error in
            XCTAssertEqual("\(error)", "checkpoint's classes: gives 1 class names, but the network has 1000 classes")
        }
    }
}
