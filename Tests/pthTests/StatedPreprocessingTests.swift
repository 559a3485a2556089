import Foundation
import PthNumpy
import XCTest

/// `pth preprocess` with the preprocessing flags (`--resize`, `--crop`, `--interpolation`, `--mean`,
/// `--std`, `--grayscale`), bit for bit against the torchvision pipeline each set of flags means
/// (`fixtures/finetuned/preprocess.json`, written by `tools/fixtures/finetuned.py`).
final class StatedPreprocessingTests: XCTestCase {
    private struct Case: Decodable {
        var image: String
        var model: String
        var flags: [String]
        var shape: [Int]
    }

    private func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("pth-stated-\(getpid())-\(name)").path
    }

    func testEveryStatedPipelineMatchesTorchvisionExactly() throws {
        let manifest = URL(fileURLWithPath: CommandLineRunner.fixture("finetuned/preprocess.json"))
        let cases = try JSONDecoder().decode([String: Case].self, from: Data(contentsOf: manifest))
        XCTAssertEqual(cases.count, 6)
        for (name, stated) in cases.sorted(by: { $0.key < $1.key }) {
            let output = temporaryPath("\(name).npy")
            defer { try? FileManager.default.removeItem(atPath: output) }
            let result = try CommandLineRunner.run(
                [
                    "preprocess", CommandLineRunner.fixture(stated.image), "--model", stated.model,
                    "--output", output,
                ] + stated.flags)
            XCTAssertEqual(result.status, 0, "\(name): \(result.stderr)")
            let ours = try NpyArray(contentsOf: output)
            let torchvision = try NpyArray(contentsOf: CommandLineRunner.fixture("finetuned/preprocess/\(name).npy"))
            XCTAssertEqual(ours.shape, stated.shape, name)
            XCTAssertEqual(torchvision.shape, stated.shape, name)
            let differing = zip(ours.values, torchvision.values).filter { $0 != $1 }.count
            XCTAssertEqual(differing, 0, "\(name): \(differing) values differ from torchvision's")
        }
    }

    func testInconsistentFlagsAreOneLineErrors() throws {
        let image = CommandLineRunner.fixture("images/coffee.jpg")
        let refusals: [([String], String)] = [
            (["--crop", "none"], "without a crop the resize must be HxW"),
            (["--mean", "0.5,0.5"], "mean has 2 values; the 3-channel input takes 1 or 3"),
            (["--std", "0"], "std 0.0 cannot divide"),
            (["--grayscale", "--std", "0.2,0.2,0.2"], "std has 3 values; the 1-channel input takes 1"),
        ]
        for (flags, message) in refusals {
            let result = try CommandLineRunner.run(["preprocess", image, "--model", "resnet50", "--output", temporaryPath("bad.npy")] + flags)
            XCTAssertNotEqual(result.status, 0, "\(flags)")
            XCTAssertTrue(result.stderr.contains(message), "\(flags): \(result.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: temporaryPath("bad.npy")))
        }
        for flags in [["--resize", "0"], ["--resize", "3x"], ["--crop", "-2"], ["--interpolation", "lanczos"], ["--mean", "a,b,c"]] {
            let result = try CommandLineRunner.run(["preprocess", image, "--model", "resnet50", "--output", temporaryPath("bad.npy")] + flags)
            XCTAssertNotEqual(result.status, 0, "\(flags)")
            XCTAssertTrue(result.stderr.contains(flags[0]), "\(flags): \(result.stderr)")
        }
    }
}
