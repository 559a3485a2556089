import Foundation
import XCTest

/// One error and exit-status policy for every command: a single `error: …` line on standard error
/// (a JSON object when the command's output is JSON), 0 done, 1 some inputs failed, 2 nothing could
/// be done, 64 a wrong command line.
final class ExitStatusTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = try ClassifyFixture.scratch(name)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    private let lenet5 = CommandLineRunner.fixture("models/lenet5.pth")
    private let image = CommandLineRunner.fixture("preprocess/one_pixel.png")

    /// Asserts the run ended with `status` and printed exactly one line on standard error, which it returns.
    @discardableResult
    private func failure(_ arguments: [String], _ status: Int32, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try CommandLineRunner.run(arguments)
        XCTAssertEqual(result.status, status, "\(arguments): \(result.stderr)", file: file, line: line)
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.count, 2, "one line, newline-terminated: \(result.stderr)", file: file, line: line)
        XCTAssertEqual(result.stdout, "", file: file, line: line)
        return String(lines[0])
    }

    func testMisspelledFlagIsNamedWithTheClosest() throws {
        // The parser alone would report the missing --weights; the typo is the real mistake.
        XCTAssertEqual(try failure(["classify", "x", "--weigths", "w.pth"], 64), "error: unknown option '--weigths' (did you mean '--weights'?)")
        XCTAssertEqual(
            try failure(["forward", "--weights", "w", "--input", "x", "--ouptut", "y"], 64),
            "error: unknown option '--ouptut' (did you mean '--output'?)")
        XCTAssertEqual(try failure(["bench", "--model", "resnet18", "--thread=2"], 64), "error: unknown option '--thread' (did you mean '--threads'?)")
        XCTAssertEqual(try failure(["inspect", "--jsn", "x.pth"], 64), "error: unknown option '--jsn' (did you mean '--json'?)")
    }

    func testMisspelledCommand() throws {
        XCTAssertEqual(
            try failure(["clasify", "photos"], 64),
            "error: unknown command 'clasify' (did you mean 'classify'?); commands: inspect, forward, bench, preprocess, classify, embed")
    }

    func testModelTypoSuggestsAndListsOnlyRunnableArchitectures() throws {
        for arguments in [
            ["bench", "--model", "resnet5"], ["forward", "--weights", "w", "--model", "resnet5", "--input", "x", "--output", "y"],
            ["classify", "photos", "--weights", "w", "--model", "resnet5"],
        ] {
            let message = try failure(arguments, 64)
            XCTAssertTrue(message.hasPrefix("error: --model resnet5: unknown architecture (did you mean 'resnet50'?); known: "), message)
            for unavailable in ["vit_b_16", "swin_t", "convnext_tiny"] { XCTAssertFalse(message.contains(unavailable), message) }
            XCTAssertTrue(message.contains("lenet5") && message.contains("efficientnet_b0"), message)
        }
        // A torchvision model with a preset but no builder here is refused at once, saying so.
        let vit = try failure(["classify", "photos", "--weights", "w", "--model", "vit_b_16"], 64)
        XCTAssertTrue(vit.hasPrefix("error: --model vit_b_16: vit_b_16 is not an architecture swift-pth runs; it runs "), vit)
        // preprocess needs no network: every torchvision preset is fine, a typo is not.
        let preprocess = try failure(["preprocess", image, "--model", "resnt50", "--output", "x.npy"], 64)
        XCTAssertTrue(preprocess.hasPrefix("error: --model resnt50: no torchvision preprocessing preset by that name (did you mean 'resnet50'?)"), preprocess)
    }

    func testMalformedValuesSayWhatIsWrong() throws {
        XCTAssertEqual(try failure(["classify", "photos", "--weights", "w", "--topk", "-1"], 64), "error: --topk must be at least 1, given -1")
        let shard = try failure(["classify", "photos", "--weights", "w", "--shard", "3/2"], 64)
        XCTAssertTrue(shard.hasSuffix("shards are numbered 0 to 1, so i must be in that range"), shard)
        XCTAssertEqual(try failure(["bench", "--model", "lenet5", "--batch", "0"], 64), "error: --batch must be at least 1, given 0")
        XCTAssertEqual(try failure(["inspect"], 64), "error: missing expected argument '<file>'")
        XCTAssertEqual(
            try failure(["classify", "--weights", "w"], 64),
            "error: give image files or folders, - to read paths from standard input, or --files-from FILE")
    }

    func testNothingDoneIsTwoForEveryCommand() throws {
        let missing = root.appendingPathComponent("missing.pth").path
        let npy = root.appendingPathComponent("x.npy").path
        XCTAssertTrue(try failure(["forward", "--weights", missing, "--input", npy, "--output", npy], 2).hasPrefix("error: "))
        XCTAssertTrue(try failure(["bench", "--weights", missing], 2).hasPrefix("error: "))
        XCTAssertTrue(try failure(["preprocess", missing, "--model", "resnet50", "--output", npy], 2).hasPrefix("error: \(missing)"))
        XCTAssertEqual(try failure(["classify", missing, "--weights", lenet5], 2), "error: \(missing): No such file or directory")
    }

    func testUnwritableOutputNamesTheFileAndReason() throws {
        let input = root.appendingPathComponent("x.npy").path
        XCTAssertEqual(try CommandLineRunner.run(["preprocess", image, "--model", "lenet5", "--output", input]).status, 0)
        // A folder as --output: the file and the system's reason, not a Foundation error code.
        let message = try failure(["forward", "--weights", lenet5, "--input", input, "--output", root.path], 2)
        XCTAssertEqual(message, "error: \(root.path): cannot write: Is a directory")
    }

    func testErrorsAreJSONWhenTheOutputIs() throws {
        let missing = root.appendingPathComponent("missing.pth").path
        for (arguments, status) in [
            (["classify", image, "--weights", missing, "--format", "jsonl"], Int32(2)),
            (["classify", image, "--weights", lenet5, "--format=jsonl", "--topk", "0"], 64),
            (["inspect", "--json"], 64),
        ] {
            let line = try failure(arguments, status)
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
            XCTAssertEqual(object?.keys.sorted(), ["error"], line)
            XCTAssertFalse(object?["error"]?.isEmpty ?? true, line)
        }
    }

    func testVersionAndHelp() throws {
        let version = try CommandLineRunner.run(["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertNotNil(version.stdout.range(of: #"^[0-9]+\.[0-9]+\.[0-9]+\n$"#, options: .regularExpression), version.stdout)
        let help = try CommandLineRunner.run(["classify", "--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("--files-from"), help.stdout)
        XCTAssertEqual(help.stderr, "")
    }

    func testCompletionScriptsAreGenerated() throws {
        for shell in ["bash", "zsh", "fish"] {
            let result = try CommandLineRunner.run(["--generate-completion-script", shell])
            XCTAssertEqual(result.status, 0, shell)
            XCTAssertTrue(result.stdout.contains("classify") && result.stdout.contains("weights"), shell)
        }
    }

    func testBatchBeyondMemoryIsRefusedNotCrashed() throws {
        let message = try failure(["bench", "--model", "lenet5", "--batch", "1000000000000", "--warmup", "0", "--runs", "1"], 2)
        XCTAssertNotNil(
            message.range(
                of:
                    #"^error: --batch 1000000000000 needs at least [0-9.]+ [KMGT]iB \([0-9.]+ [KM]?i?B per image\) but [0-9.]+ [KMGT]iB of memory is available; at most --batch [0-9]+ fits$"#,
                options: .regularExpression), message)
    }
}

/// `--output -` on the `.npy` commands: the same bytes as the file, on standard output.
final class NpyStandardOutputTests: XCTestCase {
    func testPreprocessAndForwardWriteToStandardOutput() throws {
        let folder = try ClassifyFixture.scratch(name)
        defer { try? FileManager.default.removeItem(at: folder) }
        let pth = CommandLineRunner.productsDirectory.appendingPathComponent("pth").path
        let image = CommandLineRunner.fixture("preprocess/one_pixel.png")
        let weights = CommandLineRunner.fixture("models/lenet5.pth")
        // The shell keeps standard output as bytes: the piped copy lands in a file of its own.
        let script = """
            cd '\(folder.path)' && '\(pth)' preprocess '\(image)' --model lenet5 --output x.npy \
            && '\(pth)' preprocess '\(image)' --model lenet5 --output - > x-piped.npy \
            && '\(pth)' forward --weights '\(weights)' --input x.npy --output y.npy \
            && '\(pth)' forward --weights '\(weights)' --input x.npy --output - > y-piped.npy
            """
        let result = try CommandLineRunner.run(["-c", script], executable: "/bin/sh")
        XCTAssertEqual(result.status, 0, result.stderr)
        for name in ["x", "y"] {
            let file = try Data(contentsOf: folder.appendingPathComponent("\(name).npy"))
            XCTAssertEqual(Array(file.prefix(6)), [0x93] + Array("NUMPY".utf8))
            XCTAssertEqual(try Data(contentsOf: folder.appendingPathComponent("\(name)-piped.npy")), file, name)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("-").path))
    }
}
