import Foundation
import XCTest

/// `pth classify` as a long batch job: killed and resumed, sharded, writing into a full or read-only
/// place, and the HTML contact sheet.
final class ClassifyBatchJobTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = try ClassifyFixture.scratch(name)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    /// `count` copies of a tiny image (decoding is instant; each costs one network run), named in order.
    private func makeTinyImages(_ count: Int) throws -> (folder: URL, paths: [String]) {
        let folder = root.appendingPathComponent("tiny")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let paths = (0..<count).map { folder.appendingPathComponent(String(format: "img%02d.png", $0)).path }
        for path in paths {
            try FileManager.default.copyItem(atPath: CommandLineRunner.fixture("preprocess/one_pixel.png"), toPath: path)
        }
        return (folder, paths)
    }

    private func classify(_ folder: URL, _ extra: [String]) throws -> CommandLineRunner.Result {
        try CommandLineRunner.run(["classify", folder.path, "--weights", ClassifyFixture.resnet50, "--format", "jsonl", "--threads", "1"] + extra)
    }

    func testResumeDropsPartialLineAndRepeatsNothing() throws {
        let (folder, paths) = try makeTinyImages(5)
        let output = root.appendingPathComponent("out.jsonl")
        let first = try classify(folder, ["--output", output.path, "--batch-size", "2"])
        XCTAssertEqual(first.status, 0, first.messages)
        // As a kill would leave it: two whole lines, then half of the third.
        let whole = try ClassifyFixture.read(output).split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(whole.count, 6)
        let cut = whole[0..<2].joined(separator: "\n") + "\n" + whole[2].prefix(30)
        try Data(cut.utf8).write(to: output)

        let resumed = try classify(folder, ["--output", output.path, "--resume", "--batch-size", "2"])
        XCTAssertEqual(resumed.status, 0, resumed.messages)
        XCTAssertTrue(resumed.messages.hasPrefix("classified 3 images, 0 failed, 2 skipped (already in \(output.path))"), resumed.messages)
        let lines = ClassifyFixture.lines(try ClassifyFixture.read(output))
        XCTAssertEqual(lines.map(\.path), paths)
        XCTAssertEqual(lines, ClassifyFixture.lines(whole.joined(separator: "\n")), "the resumed run writes what the whole run wrote")

        let again = try classify(folder, ["--output", output.path, "--resume"])
        XCTAssertEqual(again.status, 0)
        XCTAssertEqual(again.messages, "classified 0 images, 0 failed, 5 skipped (already in \(output.path))\n")
        XCTAssertEqual(ClassifyFixture.lines(try ClassifyFixture.read(output)).count, 5)
    }

    func testResumeReadsTableAndCsvBack() throws {
        let folder = try ClassifyFixture.makeFolder(in: root) { $0.hasPrefix("photos/") || $0 == "bad/empty.jpg" }
        for (format, kept) in [("csv", 2), ("table", 1)] {
            let output = root.appendingPathComponent("out.\(format)")
            let arguments = ["classify", folder.path, "--weights", ClassifyFixture.resnet50, "--format", format, "--batch-size", "1", "--output", output.path]
            XCTAssertEqual(try CommandLineRunner.run(arguments).status, 1)
            let whole = try ClassifyFixture.read(output)
            // csv: the header and bad/empty.jpg's row survive; table: that row; then a partial row.
            let lines = whole.split(separator: "\n")
            try Data((lines.prefix(kept).joined(separator: "\n") + "\n" + lines[kept].prefix(12)).utf8).write(to: output)
            let resumed = try CommandLineRunner.run(arguments + ["--resume"])
            XCTAssertEqual(resumed.status, 0, "the bad file was in the earlier run: \(resumed.messages)")
            XCTAssertTrue(resumed.messages.hasPrefix("classified 3 images, 0 failed, 1 skipped"), "\(format): \(resumed.messages)")
            XCTAssertEqual(try ClassifyFixture.read(output), whole, format)
        }
    }

    func testKilledRunResumedCoversEveryImageOnce() throws {
        let (folder, paths) = try makeTinyImages(12)
        let output = root.appendingPathComponent("out.jsonl")
        let process = Process()
        process.executableURL = CommandLineRunner.productsDirectory.appendingPathComponent("pth")
        process.arguments = [
            "classify", folder.path, "--weights", ClassifyFixture.resnet50, "--format", "jsonl", "--threads", "1",
            "--batch-size", "1", "--output", output.path,
        ]
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Kill as soon as some results are out (or the job ends first: resuming must then do nothing).
        while process.isRunning {
            if let text = try? ClassifyFixture.read(output), text.filter({ $0 == "\n" }).count >= 3 { break }
            usleep(20_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let before = try ClassifyFixture.read(output)
        let kept = before.split(separator: "\n").count

        let resumed = try classify(folder, ["--output", output.path, "--resume", "--batch-size", "4"])
        XCTAssertEqual(resumed.status, 0, resumed.messages)
        let lines = ClassifyFixture.lines(try ClassifyFixture.read(output))
        XCTAssertEqual(lines.map(\.path), paths, "every image exactly once, in order (\(kept) lines survived the kill)")
        XCTAssertTrue(lines.allSatisfy { $0.top?.count == 5 })
    }

    func testProgressBarOnlyOnATerminal() throws {
        let (folder, _) = try makeTinyImages(3)
        let output = root.appendingPathComponent("out.jsonl").path
        let script = "/usr/bin/script"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: script), "no \(script) to give pth a terminal")
        let pth = CommandLineRunner.productsDirectory.appendingPathComponent("pth").path
        // script(1) runs the command on a pseudo-terminal and copies what it prints to our stdout.
        let command = [
            "'\(pth)'", "classify", "'\(folder.path)'", "--weights", "'\(ClassifyFixture.resnet50)'", "--threads", "1",
            "--batch-size", "1", "--output", "'\(output)'",
        ].joined(separator: " ")
        let onTerminal = try CommandLineRunner.run(["-qc", command, "/dev/null"], executable: script)
        XCTAssertEqual(onTerminal.status, 0, onTerminal.stdout)
        for done in 1...3 {
            XCTAssertTrue(onTerminal.stdout.contains("] \(done)/3  "), onTerminal.stdout)
        }
        XCTAssertTrue(onTerminal.stdout.contains(" img/s  ETA "), onTerminal.stdout)

        let piped = try classify(folder, ["--batch-size", "1", "--output", output, "--overwrite"])
        XCTAssertEqual(piped.status, 0)
        XCTAssertFalse(piped.stderr.contains("\r"), "no bar when stderr is a pipe")
    }

    func testShardsPartitionTheSortedInputs() throws {
        let (folder, paths) = try makeTinyImages(7)
        var union: [String] = []
        for shard in 0..<3 {
            let result = try classify(folder, ["--shard", "\(shard)/3"])
            XCTAssertEqual(result.status, 0, result.messages)
            let mine = ClassifyFixture.lines(result.stdout).map(\.path)
            XCTAssertEqual(mine, paths.enumerated().filter { $0.offset % 3 == shard }.map(\.element), "shard \(shard)/3")
            union += mine
        }
        XCTAssertEqual(union.sorted(), paths)
        let invalid = try classify(folder, ["--shard", "3/3"])
        XCTAssertNotEqual(invalid.status, 0)
        XCTAssertTrue(invalid.stderr.contains("--shard"), invalid.stderr)
    }

    /// Output that stops fitting after some batches: exit 2, a one-line error, and the file holding exactly
    /// the batches before, whole.
    private func assertEarlierResultsIntact(
        _ result: CommandLineRunner.Result, output: URL, reason: String, paths: [String],
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        XCTAssertEqual(result.status, 2, result.messages, file: file, line: line)
        let kept = ClassifyFixture.lines(try ClassifyFixture.read(output), file: file, line: line)
        XCTAssertGreaterThan(kept.count, 0, file: file, line: line)
        XCTAssertLessThan(kept.count, paths.count, file: file, line: line)
        XCTAssertEqual(kept.map(\.path), Array(paths.prefix(kept.count)), file: file, line: line)
        let size = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: output.path)[.size] as? Int)
        // The run writes JSON Lines, so its error is a JSON object too.
        XCTAssertEqual(
            result.messages, "{\"error\": \"\(output.path): \(reason); the \(size) bytes written before this batch are intact\"}\n", file: file, line: line)
    }

    func testFileSizeLimitKeepsEarlierBatchesWhole() throws {
        let (folder, paths) = try makeTinyImages(6)
        let output = root.appendingPathComponent("out.jsonl")
        // Each line is about 380 bytes: a 1 KiB limit (ulimit -f counts 512-byte blocks in sh) stops the 3rd.
        let result = try ClassifyFixture.runInShell(
            "ulimit -f 2",
            [
                "classify", folder.path, "--weights", ClassifyFixture.resnet50,
                "--format", "jsonl", "--threads", "1", "--batch-size", "1", "--output", output.path,
            ])
        try assertEarlierResultsIntact(result, output: output, reason: "File too large", paths: paths)
    }

    /// A tiny tmpfs mounted for the test; needs root (CAP_SYS_ADMIN), skipped without it.
    private func mountTmpfs(_ options: String) throws -> URL {
        let mountPoint = root.appendingPathComponent("mnt")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        let mount = try CommandLineRunner.run(["-t", "tmpfs", "-o", options, "tmpfs", mountPoint.path], executable: "/bin/mount")
        try XCTSkipUnless(mount.status == 0, "cannot mount a tmpfs here: \(mount.stderr)")
        addTeardownBlock { _ = try? CommandLineRunner.run([mountPoint.path], executable: "/bin/umount") }
        return mountPoint
    }

    func testDiskFullKeepsEarlierBatchesWhole() throws {
        let (folder, paths) = try makeTinyImages(6)
        let output = try mountTmpfs("size=8k").appendingPathComponent("out.jsonl")
        // --topk 20 makes each line about 1.2 KB; the run record beside the output takes one of the two
        // 4 KiB pages, so the output fills on the 4th line.
        let result = try classify(folder, ["--batch-size", "1", "--topk", "20", "--output", output.path])
        try assertEarlierResultsIntact(result, output: output, reason: "No space left on device", paths: paths)
    }

    /// The unwritable outputs that need no root: a path under a file, a folder, and a device that is always full.
    func testUnwritableOutputFailsBeforeAnyWork() throws {
        let image = CommandLineRunner.fixture("images/coffee.jpg")
        let notADirectory = CommandLineRunner.fixture("images/coffee.jpg/out.jsonl")
        for (path, reason) in [(notADirectory, "Not a directory"), (root.path, "Is a directory")] {
            try assertRefusedBeforeAnyWork(image, output: path, "error: \(path): cannot write: \(reason)\n")
        }
        try assertRefusedBeforeAnyWork(image, output: "/dev/full", "error: /dev/full: No space left on device\n")
    }

    /// An output on a read-only file system: needs the tmpfs mount, so root.
    func testReadOnlyOutputFailsBeforeAnyWork() throws {
        let image = CommandLineRunner.fixture("images/coffee.jpg")
        let readOnly = try mountTmpfs("ro,size=4k").appendingPathComponent("out.jsonl").path
        try assertRefusedBeforeAnyWork(image, output: readOnly, "error: \(readOnly): cannot write: Read-only file system\n")
    }

    private func assertRefusedBeforeAnyWork(
        _ image: String, output: String, _ message: String,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let result = try CommandLineRunner.run(["classify", image, "--weights", ClassifyFixture.resnet50, "--output", output])
        XCTAssertEqual(result.status, 2, output, file: file, line: line)
        XCTAssertEqual(result.messages, message, file: file, line: line)
    }

    func testHTMLReportHasAThumbnailAndBarsPerImage() throws {
        let folder = try ClassifyFixture.makeFolder(in: root) { $0.hasPrefix("photos/") || $0 == "bad/truncated.jpg" }
        let report = root.appendingPathComponent("report.html")
        let result = try classify(folder, ["--html", report.path, "--topk", "3", "--batch-size", "2"])
        XCTAssertEqual(result.status, 1, result.messages)
        let lines = ClassifyFixture.lines(result.stdout)
        let html = try ClassifyFixture.read(report)
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        XCTAssertTrue(html.hasSuffix("</figure>\n"))
        let figures = html.components(separatedBy: "<figure ").dropFirst()
        XCTAssertEqual(figures.count, lines.count)
        for (figure, line) in zip(figures, lines) {
            XCTAssertTrue(figure.replacingOccurrences(of: "<wbr>", with: "").contains("<figcaption>\(line.path)</figcaption>"), figure)
            if let top = line.top {
                let encoded = try XCTUnwrap(figure.components(separatedBy: "data:image/jpeg;base64,").dropFirst().first?.split(separator: "\"").first)
                let jpeg = [UInt8](try XCTUnwrap(Data(base64Encoded: String(encoded))))
                XCTAssertEqual(Array(jpeg.prefix(2)), [0xFF, 0xD8], "a JPEG thumbnail")
                XCTAssertEqual(Array(jpeg.suffix(2)), [0xFF, 0xD9])
                XCTAssertEqual(figure.components(separatedBy: "<li>").count - 1, 3)
                let first = String(format: "%.1f", 100 * top[0].prob)
                XCTAssertTrue(figure.contains("<li><span style=\"width:\(first)%\"></span>\(top[0].label) \(first)%</li>"), figure)
            } else {
                XCTAssertTrue(figure.contains("<p class=\"error\">\(line.error!)</p>"), figure)
            }
        }
    }
}
