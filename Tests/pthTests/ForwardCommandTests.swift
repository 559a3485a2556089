import Foundation
import PthNumpy
import XCTest

/// `pth forward` as a user runs it: PyTorch's logits from a checkpoint and a `.npy` batch, and
/// one-line errors for inputs it cannot take.
final class ForwardCommandTests: XCTestCase {
    private func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("pth-forward-\(getpid())-\(name)").path
    }

    private func assertMatchesPyTorch(_ outputPath: String, _ referencePath: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let ours = try NpyArray(contentsOf: outputPath)
        let reference = try NpyArray(contentsOf: referencePath)
        XCTAssertEqual(ours.shape, reference.shape, file: file, line: line)
        let difference = zip(ours.values, reference.values).map { abs($0 - $1) }.max() ?? .infinity
        let scale = reference.values.map(abs).max() ?? 0
        XCTAssertLessThanOrEqual(difference / scale, 1e-4, file: file, line: line)
    }

    func testLogitsMatchPyTorch() throws {
        let output = temporaryPath("inception.npy")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let result = try CommandLineRunner.run([
            "forward", "--weights", CommandLineRunner.fixture("models/inception_v3.pth"), "--model", "inception_v3",
            "--input", CommandLineRunner.fixture("models/inputs/photos_bilinear342_299.npy"), "--output", output, "--threads", "2",
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        try assertMatchesPyTorch(output, CommandLineRunner.fixture("models/inception_v3/logits_photos.npy"))
    }

    func testNoTransformInputMatchesPyTorchBuiltWithoutIt() throws {
        let output = temporaryPath("googlenet.npy")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let result = try CommandLineRunner.run([
            "forward", "--weights", CommandLineRunner.fixture("models/googlenet.pth"), "--no-transform-input",
            "--input", CommandLineRunner.fixture("models/inputs/random_224.npy"), "--output", output,
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.hasPrefix("pth: googlenet (detected), transform_input off, 1000 classes"), result.stderr)
        try assertMatchesPyTorch(output, CommandLineRunner.fixture("models/googlenet/logits_random_no_transform_input.npy"))
    }

    func testTransformInputOnAnotherArchitectureIsOneLineError() throws {
        let output = temporaryPath("refused.npy")
        let result = try CommandLineRunner.run([
            "forward", "--weights", CommandLineRunner.fixture("models/resnet50.pth"), "--transform-input",
            "--input", CommandLineRunner.fixture("models/inputs/random_224.npy"), "--output", output,
        ])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertEqual(result.stderr, "error: resnet50: has no transform_input setting; only inception_v3 and googlenet re-normalise their input\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
    }

    func testArchitectureIsDetectedWithoutModel() throws {
        let output = temporaryPath("efficientnet.npy")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let result = try CommandLineRunner.run([
            "forward", "--weights", CommandLineRunner.fixture("models/efficientnet_b0.pth"),
            "--input", CommandLineRunner.fixture("models/inputs/random_224.npy"), "--output", output,
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        try assertMatchesPyTorch(output, CommandLineRunner.fixture("models/efficientnet_b0/logits_random.npy"))
    }

    private func runForward(input: String, model: String = "resnet50") throws -> CommandLineRunner.Result {
        let output = temporaryPath("unwritten.npy")
        let result = try CommandLineRunner.run([
            "forward", "--weights", CommandLineRunner.fixture("models/resnet50.pth"), "--model", model,
            "--input", input, "--output", output,
        ])
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
        return result
    }

    func testWrongRankIsOneLineError() throws {
        let input = CommandLineRunner.fixture("models/resnet50/logits_photos.npy")
        let result = try runForward(input: input)
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stderr, "error: \(input): expected a float32 array of shape [N, 3, H, W], found [2, 1000]\n")
    }

    func testWrongChannelsIsOneLineError() throws {
        let input = temporaryPath("gray.npy")
        defer { try? FileManager.default.removeItem(atPath: input) }
        try NpyArray(shape: [1, 1, 224, 224], values: [Float](repeating: 0, count: 224 * 224)).write(to: input)
        let result = try runForward(input: input)
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stderr, "error: \(input): expected a float32 array of shape [N, 3, H, W], found [1, 1, 224, 224]\n")
    }

    func testWrongDtypeIsOneLineError() throws {
        let input = temporaryPath("float64.npy")
        defer { try? FileManager.default.removeItem(atPath: input) }
        var bytes = NpyArray(shape: [1, 3, 2, 2], values: [Float](repeating: 0, count: 12)).npyBytes()
        let header = String(decoding: bytes.prefix(128), as: UTF8.self)
        let descr = try XCTUnwrap(header.range(of: "<f4"))
        bytes[header.utf8.distance(from: header.startIndex, to: descr.lowerBound) + 2] = UInt8(ascii: "8")
        bytes += [UInt8](repeating: 0, count: 48)
        try Data(bytes).write(to: URL(fileURLWithPath: input))
        let result = try runForward(input: input)
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.hasPrefix("error: \(input): "), result.stderr)
        XCTAssertEqual(result.stderr.filter { $0 == "\n" }.count, 1, result.stderr)
    }

    func testCheckpointOfAnotherArchitectureIsOneLineError() throws {
        let result = try runForward(input: CommandLineRunner.fixture("models/inputs/random_224.npy"), model: "densenet121")
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stderr, "error: features.conv0.weight: missing from checkpoint, densenet121 expects [64, 3, 7, 7]\n")
    }
}
