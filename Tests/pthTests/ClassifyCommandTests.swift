import Foundation
import XCTest

/// `pth classify` on a folder of good, odd and broken files: PyTorch's labels for the good ones, an
/// error line for each bad one, the three formats saying the same, and one-line errors for bad runs.
final class ClassifyCommandTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = try ClassifyFixture.scratch(name)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    /// Asserts that `lines` give PyTorch's top-k (indices, labels, probabilities) for every good file of
    /// the folder and an error for every bad one, in sorted path order.
    private func assertMatchesPyTorch(
        _ lines: [ClassifyFixture.Line], folder: URL, model: KeyPath<ClassifyFixture.File, ClassifyFixture.Expected?>,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let files = ClassifyFixture.document.files
        XCTAssertEqual(lines.map(\.path), files.keys.sorted().map { folder.appendingPathComponent($0).path }, file: file, line: line)
        for result in lines {
            let name = String(result.path.dropFirst(folder.path.count + 1))
            guard let entry = files[name] else { continue }
            if entry.error != nil {
                XCTAssertNotNil(result.error, "\(name) should be an error line", file: file, line: line)
                XCTAssertNil(result.top, file: file, line: line)
                continue
            }
            guard let expected = entry[keyPath: model], let top = result.top else {
                XCTFail("\(name): no result (\(result.error ?? "?"))", file: file, line: line)
                continue
            }
            // The runtime matches PyTorch's logits to 1e-4 of their max; closer ranks may swap legitimately.
            XCTAssertGreaterThan(expected.rank_gap, 2.5e-4, "\(name): fixture ranks too close to test", file: file, line: line)
            XCTAssertEqual(top.map(\.index), expected.top, name, file: file, line: line)
            XCTAssertEqual(top.map(\.label), expected.labels, name, file: file, line: line)
            for (ours, theirs) in zip(top.map(\.prob), expected.probs) {
                XCTAssertEqual(ours, theirs, accuracy: 1e-3 * max(theirs, 1e-2), "\(name) probability", file: file, line: line)
            }
        }
    }

    func testFolderIsLabelledAsPyTorchLabelsIt() throws {
        let folder = try ClassifyFixture.makeFolder(in: root)
        let result = try CommandLineRunner.run([
            "classify", folder.path, "--weights", ClassifyFixture.resnet50, "--model", "resnet50",
            "--format", "jsonl", "--batch-size", "2", "--threads", "2",
        ])
        XCTAssertEqual(result.status, 1, "some images are bad: \(result.messages)")
        let lines = ClassifyFixture.lines(result.stdout)
        assertMatchesPyTorch(lines, folder: folder, model: \.resnet50)
        let failed = ClassifyFixture.document.files.values.filter { $0.error != nil }.count
        // With stderr no terminal: no bar, only a plain progress line every 10 s (a slow machine may see one) and the summary.
        XCTAssertFalse(result.messages.contains("\r"))
        let summary = result.messages.split(separator: "\n").filter { !$0.hasPrefix("progress: ") }
        XCTAssertEqual(summary.count, 1, result.messages)
        XCTAssertTrue(summary.first?.hasPrefix("classified \(lines.count - failed) images, \(failed) failed in ") ?? false, result.messages)
        let errors = Dictionary(uniqueKeysWithValues: lines.compactMap { line in line.error.map { (URL(fileURLWithPath: line.path).lastPathComponent, $0) } })
        XCTAssertEqual(errors["empty.jpg"], "file is empty")
        XCTAssertTrue(errors["huge_header.png"]?.hasPrefix("image is 30000x30000 pixels, more than the limit of 178956970") == true)
    }

    func testDetectedEfficientNetGetsItsBicubicPreset() throws {
        let folder = try ClassifyFixture.makeFolder(in: root)
        let result = try CommandLineRunner.run([
            "classify", folder.path, "--weights", CommandLineRunner.fixture("models/efficientnet_b0.pth"),
            "--format", "jsonl", "--batch-size", "3", "--workers", "1",
        ])
        XCTAssertEqual(result.status, 1, result.messages)
        assertMatchesPyTorch(ClassifyFixture.lines(result.stdout), folder: folder, model: \.efficientnet_b0)
    }

    func testPixelCapIsRaisedByMaxPixels() throws {
        let folder = try ClassifyFixture.makeFolder(in: root) { $0 == "photos/coffee.jpg" }
        // coffee.jpg is 600x400: one pixel under its size is refused, its size is read.
        let refused = try CommandLineRunner.run(["classify", folder.path, "--weights", ClassifyFixture.resnet50, "--format", "jsonl", "--max-pixels", "239999"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(
            ClassifyFixture.lines(refused.stdout).first?.error,
            "image is 600x400 pixels, more than the limit of 239999 (possible decompression bomb; raise the pixel limit to read it)")
        let read = try CommandLineRunner.run(["classify", folder.path, "--weights", ClassifyFixture.resnet50, "--format", "jsonl", "--max-pixels", "240000"])
        XCTAssertEqual(read.status, 0, read.stderr)
        XCTAssertEqual(ClassifyFixture.lines(read.stdout).first?.top?.map(\.index), ClassifyFixture.document.files["photos/coffee.jpg"]?.resnet50?.top)
    }

    func testTableCsvAndJsonlSayTheSame() throws {
        let folder = try ClassifyFixture.makeFolder(in: root) { $0.hasPrefix("photos/") || $0 == "bad/empty.jpg" }
        func run(_ format: String) throws -> String {
            let result = try CommandLineRunner.run(["classify", folder.path, "--weights", ClassifyFixture.resnet50, "--format", format, "--topk", "3"])
            XCTAssertEqual(result.status, 1, result.messages)
            return result.stdout
        }
        let jsonl = ClassifyFixture.lines(try run("jsonl"))
        XCTAssertEqual(jsonl.count, 4)

        let csv = try run("csv").split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(csv.first, "path,index_1,label_1,prob_1,index_2,label_2,prob_2,index_3,label_3,prob_3,error")
        XCTAssertEqual(csv.last, "", "whole lines only")
        for (row, expected) in zip(csv.dropFirst(), jsonl) {
            let fields = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            XCTAssertEqual(fields.count, 11, String(row))
            XCTAssertEqual(fields[0], expected.path)
            if let top = expected.top {
                XCTAssertEqual(fields[10], "")
                for (rank, prediction) in top.enumerated() {
                    XCTAssertEqual(fields[1 + 3 * rank], String(prediction.index))
                    XCTAssertEqual(fields[2 + 3 * rank], prediction.label)
                    XCTAssertEqual(try XCTUnwrap(Double(fields[3 + 3 * rank])), prediction.prob, accuracy: 1e-6)
                }
            } else {
                XCTAssertEqual(Array(fields[1..<10]), Array(repeating: "", count: 9))
                XCTAssertEqual(fields[10], expected.error)
            }
        }

        let table = try run("table").split(separator: "\n")
        XCTAssertEqual(table.count, 4)
        for (row, expected) in zip(table, jsonl) {
            XCTAssertTrue(row.hasPrefix(expected.path + "  "), String(row))
            if let top = expected.top {
                let cells = top.map { String(format: "%6.2f%%", 100 * $0.prob) + " \($0.label) [\($0.index)]" }
                XCTAssertTrue(row.hasSuffix("  " + cells.joined(separator: "  ")), String(row))
            } else {
                XCTAssertTrue(row.hasSuffix("  error: \(expected.error!)"), String(row))
            }
        }
    }

    func testIncludeWidensAndSymlinkLoopsEnd() throws {
        let folder = try ClassifyFixture.makeFolder(in: root) { $0 == "photos/chelsea.png" }
        try Data("not an image".utf8).write(to: folder.appendingPathComponent("photos/notes.txt"))
        // A link back up the tree: followed once, then recognised as a folder already walked.
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("photos/loop").path, withDestinationPath: "..")
        let plain = try CommandLineRunner.run(["classify", folder.path, "--weights", ClassifyFixture.resnet50, "--format", "jsonl"])
        XCTAssertEqual(plain.status, 0, plain.stderr)
        XCTAssertEqual(ClassifyFixture.lines(plain.stdout).map(\.path), [folder.appendingPathComponent("photos/chelsea.png").path])

        let widened = try CommandLineRunner.run(["classify", folder.path, "--weights", ClassifyFixture.resnet50, "--format", "jsonl", "--include", "*.txt"])
        XCTAssertEqual(widened.status, 1)
        let lines = ClassifyFixture.lines(widened.stdout)
        XCTAssertEqual(lines.map(\.path), ["photos/chelsea.png", "photos/notes.txt"].map { folder.appendingPathComponent($0).path })
        XCTAssertEqual(lines.last?.error, "not a JPEG, PNG, WebP, BMP, TIFF or GIF image")
    }

    func testMissingPathIsOneLineErrorBeforeAnyWork() throws {
        let missing = root.appendingPathComponent("nowhere").path
        let result = try CommandLineRunner.run(["classify", CommandLineRunner.fixture("images"), missing, "--weights", ClassifyFixture.resnet50])
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(result.messages, "error: \(missing): No such file or directory\n")
    }

    func testUnknownModelIsOneLineError() throws {
        let result = try CommandLineRunner.run([
            "classify", CommandLineRunner.fixture("images/coffee.jpg"), "--weights", ClassifyFixture.resnet50, "--model", "resnet51",
        ])
        XCTAssertEqual(result.status, 64)
        XCTAssertTrue(result.messages.hasPrefix("error: --model resnet51: unknown architecture (did you mean 'resnet50'?); known: resnet50, "), result.messages)
        XCTAssertEqual(result.messages.filter { $0 == "\n" }.count, 1)
    }

    func testWeightsOfAnotherArchitectureIsOneLineError() throws {
        let result = try CommandLineRunner.run([
            "classify", CommandLineRunner.fixture("images/coffee.jpg"), "--weights", ClassifyFixture.resnet50, "--model", "densenet121",
        ])
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.messages, "error: features.conv0.weight: missing from checkpoint, densenet121 expects [64, 3, 7, 7]\n")
    }

    func testResumeWithoutOutputIsRefused() throws {
        let result = try CommandLineRunner.run(["classify", CommandLineRunner.fixture("images"), "--weights", ClassifyFixture.resnet50, "--resume"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.messages.contains("--resume needs --output"), result.messages)
    }
}
