import Foundation
import XCTest

/// `pth inspect` as a user runs it, against the JSON torch computed for every checkpoint fixture.
final class InspectCommandTests: XCTestCase {
    func testJSONIsExactlyWhatTorchComputedForEveryFixture() throws {
        let directory = CommandLineRunner.repositoryRoot.appendingPathComponent("fixtures/checkpoints")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".pth") }.sorted()
        XCTAssertGreaterThanOrEqual(names.count, 19)
        for name in names {
            let expected = try String(contentsOf: directory.appendingPathComponent(name.replacingOccurrences(of: ".pth", with: ".json")), encoding: .utf8)
            let result = try CommandLineRunner.run(["inspect", "--json", CommandLineRunner.fixture("checkpoints/\(name)")])
            XCTAssertEqual(result.status, 0, "\(name): \(result.stderr)")
            XCTAssertEqual(result.stdout, expected, name)
        }
    }

    func testTableListsTensorsFormatAndOpaqueObjects() throws {
        let result = try CommandLineRunner.run(["inspect", CommandLineRunner.fixture("checkpoints/zip_training.pth")])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(
            result.stdout,
            """
            format: zip
            state dict: state_dict (the first of state_dict, model_state_dict, model, net, ema that holds tensors); `module.` prefix stripped
            name    dtype    shape   size
            weight  float32  [2, 3]  24 B
            bias    float32  [2]      8 B
            2 tensors, 32 B
            elsewhere in the file: 2 tensors, 32 B
            path                               dtype    shape   size
            optimizer.state.0.momentum_buffer  float32  [2, 3]  24 B
            optimizer.state.1.momentum_buffer  float32  [2]      8 B
            opaque objects: argparse.Namespace

            """)
    }

    func testBadFileIsOneErrorLineAndStatusTwo() throws {
        let truncated = FileManager.default.temporaryDirectory.appendingPathComponent("pth-inspect-truncated-\(getpid()).pth")
        let whole = try Data(contentsOf: URL(fileURLWithPath: CommandLineRunner.fixture("checkpoints/legacy_basic.pth")))
        try whole.prefix(whole.count / 2).write(to: truncated)
        defer { try? FileManager.default.removeItem(at: truncated) }
        for path in [truncated.path, "/nonexistent/model.pth", CommandLineRunner.repositoryRoot.path] {
            let result = try CommandLineRunner.run(["inspect", path])
            XCTAssertEqual(result.status, 2, path)
            XCTAssertTrue(result.stderr.hasPrefix("error: \(path): "), result.stderr)
            XCTAssertEqual(result.stderr.filter { $0 == "\n" }.count, 1, result.stderr)
            XCTAssertEqual(result.stdout, "")
        }
    }
}
