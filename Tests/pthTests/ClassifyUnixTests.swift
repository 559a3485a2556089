import Foundation
import XCTest

/// `pth classify` as a Unix tool: what it takes and skips, paths from pipes, output to stdout, outputs
/// it will not clobber, resumes it will not mix, and what it does with numbers that are not numbers.
final class ClassifyUnixTests: XCTestCase {
    private var root: URL!
    private let lenet5 = CommandLineRunner.fixture("models/lenet5.pth")
    private let image = CommandLineRunner.fixture("preprocess/one_pixel.png")

    override func setUpWithError() throws {
        root = try ClassifyFixture.scratch(name)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    /// A folder `name` under the scratch root holding copies of the tiny image under `images` and `data` under `others`.
    private func folder(_ name: String, images: [String] = [], others: [String: String] = [:]) throws -> URL {
        let folder = root.appendingPathComponent(name)
        for file in images {
            let url = folder.appendingPathComponent(file)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: image, toPath: url.path)
        }
        for (file, text) in others {
            let url = folder.appendingPathComponent(file)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// The message of a JSON error line, as commands print it when their output is JSON.
    private func jsonError(_ result: CommandLineRunner.Result, file: StaticString = #filePath, line: UInt = #line) -> String? {
        let lines = result.messages.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, result.messages, file: file, line: line)
        let object = try? JSONSerialization.jsonObject(with: Data((lines.first ?? "").utf8)) as? [String: String]
        return object?["error"]
    }

    private func classify(_ arguments: [String], stdin: Data? = nil) throws -> CommandLineRunner.Result {
        try CommandLineRunner.run(["classify"] + arguments + ["--weights", lenet5, "--threads", "1", "--workers", "1"], stdin: stdin)
    }

    func testNoImagesIsAnErrorSayingWhatWasSkipped() throws {
        let empty = try folder("empty")
        let result = try classify([empty.path])
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(
            result.stderr,
            "error: no images to classify in \(empty.path) (no files); taken: .bmp .gif .jpeg .jpg .png .tif .tiff .webp, other names with --include GLOB\n")

        let notes = try folder("notes", others: ["a.txt": "a", "b.TXT": "b", "README": "c", ".DS_Store": "d"])
        let skipped = try classify([notes.path])
        XCTAssertEqual(skipped.status, 2)
        XCTAssertEqual(
            skipped.stderr,
            "error: no images to classify in \(notes.path) (skipped 4 files: 2 .txt, 1 hidden, 1 no extension); "
                + "taken: .bmp .gif .jpeg .jpg .png .tif .tiff .webp, other names with --include GLOB\n")
    }

    func testHiddenFilesAndAppleDoubleAreSkippedAndCounted() throws {
        // ._coffee.png is what macOS leaves beside coffee.png on a foreign filesystem: not an image at all.
        let photos = try folder("photos", images: ["coffee.png", ".cache/thumb.png"], others: ["._coffee.png": "\u{0}\u{5}\u{16}\u{7}", "notes.txt": "x"])
        let result = try classify([photos.path, "--format", "jsonl"])
        XCTAssertEqual(result.status, 0, result.messages)
        XCTAssertEqual(ClassifyFixture.lines(result.stdout).map(\.path), [photos.path + "/coffee.png"])
        XCTAssertEqual(result.stderr.split(separator: "\n").dropFirst().first, "skipped 3 files: 1 .txt, 1 hidden, 1 hidden folder", "after the pth: line")

        let withHidden = try classify([photos.path, "--format", "jsonl", "--hidden"])
        XCTAssertEqual(withHidden.status, 1, "the AppleDouble file is read and fails")
        XCTAssertEqual(
            ClassifyFixture.lines(withHidden.stdout).map(\.path),
            ["._coffee.png", ".cache/thumb.png", "coffee.png"].map { photos.path + "/" + $0 })
    }

    func testPathsFromStandardInputAndFiles() throws {
        let photos = try folder("photos", images: ["a.png", "b.png", "line\nbreak.png"])
        let a = photos.path + "/a.png", b = photos.path + "/b.png", odd = photos.path + "/line\nbreak.png"
        let lines = try classify(["-", "--format", "jsonl"], stdin: Data("\(b)\n\(a)\r\n\n".utf8))
        XCTAssertEqual(lines.status, 0, lines.messages)
        XCTAssertEqual(ClassifyFixture.lines(lines.stdout).map(\.path), [a, b])

        // find -print0: a name holding a newline survives.
        let nul = try classify(["-", "-0", "--format", "jsonl"], stdin: Data("\(odd)\u{0}\(a)\u{0}".utf8))
        XCTAssertEqual(nul.status, 0, nul.messages)
        XCTAssertEqual(ClassifyFixture.lines(nul.stdout).map(\.path), [a, odd])

        let list = root.appendingPathComponent("list.txt")
        try Data("\(b)\n".utf8).write(to: list)
        let fromFile = try classify([a, "--files-from", list.path, "--format", "jsonl"])
        XCTAssertEqual(ClassifyFixture.lines(fromFile.stdout).map(\.path), [a, b])
        XCTAssertEqual(
            try classify(["--files-from", root.appendingPathComponent("nope").path]).stderr,
            "error: --files-from \(root.appendingPathComponent("nope").path): No such file or directory\n")
    }

    func testOutputDashIsStandardOutput() throws {
        let photos = try folder("photos", images: ["a.png"])
        let result = try ClassifyFixture.runInShell("cd '\(root.path)'", ["classify", "photos", "--weights", lenet5, "--format", "jsonl", "--output", "-"])
        XCTAssertEqual(result.status, 0, result.messages)
        XCTAssertEqual(ClassifyFixture.lines(result.stdout).map(\.path), ["photos/a.png"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("-").path), "no file named -")
        _ = photos
    }

    func testExistingOutputIsNeitherReplacedNorMixedSilently() throws {
        let photos = try folder("photos", images: ["a.png", "b.png"])
        let output = root.appendingPathComponent("out.jsonl")
        XCTAssertEqual(try classify([photos.path, "--format", "jsonl", "--output", output.path, "--topk", "5"]).status, 0)
        let written = try ClassifyFixture.read(output)
        let size = written.utf8.count

        let again = try classify([photos.path, "--format", "jsonl", "--output", output.path])
        XCTAssertEqual(again.status, 2)
        XCTAssertEqual(jsonError(again), "\(output.path) already exists (\(size) bytes); --resume continues it, --overwrite replaces it")
        XCTAssertEqual(try ClassifyFixture.read(output), written)

        // The run's facts are kept beside the output; a resume with other settings names the difference.
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output.path + ".pth-run.json"))) as? [String: String]
        XCTAssertEqual(record?["topk"], "5")
        XCTAssertEqual(record?["architecture"], "lenet5")
        try Data(written.split(separator: "\n")[0].utf8 + [10]).write(to: output)
        let otherTopK = try classify([photos.path, "--format", "jsonl", "--output", output.path, "--resume", "--topk", "3"])
        XCTAssertEqual(otherTopK.status, 2)
        XCTAssertEqual(
            jsonError(otherTopK),
            "--resume \(output.path): topk: 5 in the earlier run, 3 now; "
                + "resume with the earlier run's settings, or write a new --output")
        let otherPreprocessing = try classify([photos.path, "--format", "jsonl", "--output", output.path, "--resume", "--mean", "0.5"])
        XCTAssertEqual(otherPreprocessing.status, 2)
        XCTAssertEqual(
            jsonError(otherPreprocessing),
            "--resume \(output.path): preprocessing: grayscale, bilinear resize 32, crop 32, mean 0.0, std 1.0 "
                + "in the earlier run, grayscale, bilinear resize 32, crop 32, mean 0.5, std 1.0 now; resume with the earlier run's settings, or write a new --output"
        )
        let otherWeights = try CommandLineRunner.run([
            "classify", photos.path, "--weights", CommandLineRunner.fixture("cli/lenet5_nan.pth"),
            "--format", "jsonl", "--output", output.path, "--resume",
        ])
        XCTAssertEqual(otherWeights.status, 2)
        XCTAssertTrue(jsonError(otherWeights)?.hasPrefix("--resume \(output.path): weights: sha256 ") ?? false, otherWeights.messages)

        let resumed = try classify([photos.path, "--format", "jsonl", "--output", output.path, "--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.messages)
        // The same rows (a batch of one instead of two may move the last digit of a probability).
        let rows = ClassifyFixture.lines(try ClassifyFixture.read(output))
        XCTAssertEqual(rows.map(\.path), ClassifyFixture.lines(written).map(\.path))
        XCTAssertEqual(rows.map { $0.top?.map(\.index) }, ClassifyFixture.lines(written).map { $0.top?.map(\.index) })

        let replaced = try classify([photos.path + "/a.png", "--format", "jsonl", "--output", output.path, "--overwrite"])
        XCTAssertEqual(replaced.status, 0, replaced.messages)
        XCTAssertEqual(ClassifyFixture.lines(try ClassifyFixture.read(output)).map(\.path), [photos.path + "/a.png"])
    }

    func testDotSlashAndPlainFolderNamesResumeEachOther() throws {
        _ = try folder("photos", images: ["a.png", "b.png"])
        let base = ["--weights", lenet5, "--format", "jsonl", "--output", "out.jsonl", "--threads", "1"]
        let first = try ClassifyFixture.runInShell("cd '\(root.path)'", ["classify", "./photos/"] + base)
        XCTAssertEqual(first.status, 0, first.messages)
        XCTAssertEqual(
            ClassifyFixture.lines(try ClassifyFixture.read(root.appendingPathComponent("out.jsonl"))).map(\.path),
            ["photos/a.png", "photos/b.png"])
        let resumed = try ClassifyFixture.runInShell("cd '\(root.path)'", ["classify", "photos"] + base + ["--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.messages)
        XCTAssertEqual(resumed.messages, "classified 0 images, 0 failed, 2 skipped (already in out.jsonl)\n")
    }

    func testNonFiniteLogitsFailTheImageWithValidJSON() throws {
        struct Expected: Decodable { var nan: [Int]; var inf: [Int] }
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: URL(fileURLWithPath: CommandLineRunner.fixture("cli/expected.json"))))
        let first = try XCTUnwrap((expected.nan + expected.inf).min())
        let result = try CommandLineRunner.run(["classify", image, "--weights", CommandLineRunner.fixture("cli/lenet5_nan.pth"), "--format", "jsonl"])
        XCTAssertEqual(result.status, 1, result.messages)
        let lines = ClassifyFixture.lines(result.stdout)
        XCTAssertEqual(lines.count, 1)
        XCTAssertNil(lines.first?.top)
        XCTAssertEqual(lines.first?.error, "the network's logits are not finite (class \(first): \(expected.nan.contains(first) ? "nan" : "inf"))")
        XCTAssertTrue(result.messages.hasPrefix("classified 0 images, 1 failed"), result.messages)
    }

    func testImagesBeyondMemoryAreRefusedBeforeAnyWork() throws {
        // A stated 100000x100000 input: 120 GB of input alone for resnet50, more than any test machine has.
        let result = try CommandLineRunner.run([
            "classify", image, "--weights", ClassifyFixture.resnet50, "--resize", "100000x100000",
            "--crop", "none", "--batch-size", "4",
        ])
        XCTAssertEqual(result.status, 2)
        XCTAssertNotNil(
            result.messages.range(
                of: #"^error: one 100000x100000 image needs at least [0-9.]+ TiB but [0-9.]+ [KMGT]iB of memory is available\n$"#,
                options: .regularExpression), result.messages)
        XCTAssertEqual(result.stdout, "")
    }

    func testCSVQuotesLineBreaksAndResumesThem() throws {
        let photos = try folder("photos", images: ["line\nbreak.png", "plain.png"])
        let output = root.appendingPathComponent("out.csv")
        let arguments = [photos.path, "--format", "csv", "--topk", "1", "--output", output.path]
        XCTAssertEqual(try classify(arguments).status, 0)
        let csv = try ClassifyFixture.read(output)
        // RFC 4180 (and Python's csv module): the field is quoted and the line break kept as it is.
        XCTAssertTrue(csv.contains("\n\"\(photos.path)/line\nbreak.png\","), csv)
        XCTAssertFalse(csv.contains("\\n"), csv)
        // Cut inside the quoted line break: that row is partial, so it is dropped and redone.
        let cut = csv.components(separatedBy: "line\n")[0] + "line\n"
        try Data(cut.utf8).write(to: output)
        let resumed = try classify(arguments + ["--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.messages)
        XCTAssertEqual(try ClassifyFixture.read(output), csv)
        let again = try classify(arguments + ["--resume"])
        XCTAssertTrue(again.messages.hasPrefix("classified 0 images, 0 failed, 2 skipped"), again.messages)
    }

    func testRateCountsOnlyClassifiedImages() throws {
        let photos = try folder("photos", images: ["ok.png"], others: (0..<8).reduce(into: [:]) { $0["bad\($1).png"] = "not a png" })
        let result = try classify([photos.path, "--batch-size", "1"])
        XCTAssertEqual(result.status, 1)
        let summary = try XCTUnwrap(result.messages.split(separator: "\n").last.map(String.init))
        let pattern = try NSRegularExpression(pattern: #"^classified 1 image, 8 failed in ([0-9.]+) s \(([0-9.]+) img/s\)$"#)
        let match = try XCTUnwrap(pattern.firstMatch(in: summary, range: NSRange(summary.startIndex..., in: summary)), summary)
        let seconds = try XCTUnwrap(Double(summary[Range(match.range(at: 1), in: summary)!]))
        let rate = try XCTUnwrap(Double(summary[Range(match.range(at: 2), in: summary)!]))
        // Both figures are rounded to 0.1: the rate is 1 image over the time, not 9.
        XCTAssertLessThanOrEqual(rate, 1 / max(seconds - 0.05, 0.001) + 0.05, summary)
        XCTAssertGreaterThanOrEqual(rate, 1 / (seconds + 0.05) - 0.05, summary)
    }

    func testQuietAndLogProgress() throws {
        let photos = try folder("photos", images: ["a.png", "b.png", "c.png"])
        // Standard error is a pipe here, as in a log: plain lines (every 0 s for the test, every 10 s by default).
        let logged = try classify([photos.path, "--batch-size", "1", "--progress-interval", "0"])
        XCTAssertEqual(logged.status, 0)
        let progress = logged.stderr.split(separator: "\n").filter { $0.hasPrefix("progress: ") }
        XCTAssertEqual(progress.count, 3, logged.stderr)
        for (done, line) in progress.enumerated() {
            XCTAssertNotNil(
                line.range(of: #"^progress: \#(done + 1)/3 images, [0-9]+\.[0-9] img/s, ETA [0-9]+:[0-9]{2}$"#, options: .regularExpression), String(line))
        }
        XCTAssertFalse(logged.stderr.contains("\r"))

        let quiet = try classify([photos.path, "--batch-size", "1", "--progress-interval", "0", "--quiet"])
        XCTAssertEqual(quiet.status, 0)
        XCTAssertTrue(quiet.stderr.hasPrefix("classified 3 images, 0 failed in "), quiet.stderr)
        XCTAssertEqual(quiet.stderr.split(separator: "\n").count, 1, quiet.stderr)
    }

    func testBarOwnsItsLineAndFitsANarrowTerminal() throws {
        let photos = try folder("photos", images: (0..<4).map { "image\($0).png" })
        let script = "/usr/bin/script"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: script), "no \(script) to give pth a terminal")
        let pth = CommandLineRunner.productsDirectory.appendingPathComponent("pth").path
        // A 40-column terminal, results printed to it as a table between the bar's redraws.
        let command = "stty cols 40; '\(pth)' classify '\(photos.path)' --weights '\(lenet5)' --threads 1 --batch-size 1"
        let result = try CommandLineRunner.run(["-qec", command, "/dev/null"], executable: script)
        XCTAssertEqual(result.status, 0, result.stdout)
        let screen = result.stdout.replacingOccurrences(of: "\r\n", with: "\n")
        var rows = 0
        for line in screen.split(separator: "\n") {
            // What stays visible of a line: the text after its last carriage return.
            let segments = line.components(separatedBy: "\r")
            for segment in segments where segment.contains("ETA") {
                XCTAssertLessThan(segment.replacingOccurrences(of: "\u{1B}[K", with: "").count, 40, "never wraps: \(segment.debugDescription)")
            }
            let visible = segments.last!.replacingOccurrences(of: "\u{1B}[K", with: "")
            if visible.contains(".png") {
                XCTAssertTrue(visible.hasPrefix(photos.path), "a row starts its own line: \(line.debugDescription)")
                rows += 1
            }
        }
        XCTAssertEqual(rows, 4, screen)
        XCTAssertTrue(screen.contains("] 2/4  "), screen.debugDescription)
    }
}
