import Foundation
import XCTest

/// The `pth classify` test folder and what PyTorch says about it (`fixtures/classify/expected.json`,
/// written by `tools/fixtures/classify.py`), plus helpers to run and read classify jobs.
struct ClassifyFixture {
    /// PyTorch's verdict on one file of the folder for one model.
    struct Expected: Decodable {
        var top: [Int]
        var labels: [String]
        var probs: [Double]
        /// Smallest gap between consecutive ranks 1…k+1, relative to the image's max |logit|.
        // swift-format-ignore: AlwaysUseLowerCamelCase
        var rank_gap: Double
    }

    struct File: Decodable {
        var source: String
        var error: String?
        var resnet50: Expected?
        // swift-format-ignore: AlwaysUseLowerCamelCase
        var efficientnet_b0: Expected?
    }

    struct Document: Decodable {
        var k: Int
        var files: [String: File]
    }

    /// One line of jsonl output, decoded.
    struct Line: Decodable, Equatable {
        struct Rank: Decodable, Equatable {
            var index: Int
            var label: String
            var prob: Double
        }
        var path: String
        var top: [Rank]?
        var error: String?
    }

    static let document: Document = {
        let url = URL(fileURLWithPath: CommandLineRunner.fixture("classify/expected.json"))
        return try! JSONDecoder().decode(Document.self, from: Data(contentsOf: url))
    }()

    static let resnet50 = CommandLineRunner.fixture("models/resnet50.pth")

    /// A fresh scratch folder for one test, removed by the caller.
    static func scratch(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pth-classify-\(getpid())-\(name)")
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Copies the fixture files whose folder path passes `filter` into `root/images`; returns that folder.
    @discardableResult
    static func makeFolder(in root: URL, _ filter: (String) -> Bool = { _ in true }) throws -> URL {
        let folder = root.appendingPathComponent("images")
        for (target, file) in document.files where filter(target) {
            let destination = folder.appendingPathComponent(target)
            try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: CommandLineRunner.fixture(file.source), toPath: destination.path)
        }
        return folder
    }

    /// Decodes jsonl output, failing the test on a line that is not a whole JSON object.
    static func lines(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [Line] {
        XCTAssertTrue(text.isEmpty || text.hasSuffix("\n"), "output ends in a partial line", file: file, line: line)
        return text.split(separator: "\n").compactMap { row in
            do {
                return try JSONDecoder().decode(Line.self, from: Data(row.utf8))
            } catch {
                XCTFail("not a jsonl result: \(row)", file: file, line: line)
                return nil
            }
        }
    }

    static func read(_ url: URL) throws -> String {
        String(decoding: try Data(contentsOf: url), as: UTF8.self)
    }

    /// The built `pth`, run through `/bin/sh` so the test can set a limit first (`ulimit -f …`).
    static func runInShell(_ prelude: String, _ arguments: [String]) throws -> CommandLineRunner.Result {
        let pth = CommandLineRunner.productsDirectory.appendingPathComponent("pth").path
        return try CommandLineRunner.run(["-c", "\(prelude) && exec \"$0\" \"$@\"", pth] + arguments, executable: "/bin/sh")
    }
}
