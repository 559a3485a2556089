import Foundation
import XCTest

/// `pth preprocess` as a user runs it, checked against torchvision's tensor for the same image.
final class PreprocessCommandTests: XCTestCase {
    private func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("pth-preprocess-\(getpid())-\(name)").path
    }

    /// The float32 values after a .npy header (both files are C-order little-endian float32).
    private func floats(_ path: String, count: Int) throws -> [Float] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertGreaterThanOrEqual(data.count, count * 4)
        return data.suffix(count * 4).withUnsafeBytes { raw in
            (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }

    func testWritesTorchvisionTensor() throws {
        let output = temporaryPath("chelsea.npy")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let result = try CommandLineRunner.run([
            "preprocess", CommandLineRunner.fixture("images/chelsea.png"),
            "--model", "resnet50", "--output", output,
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        let header = String(decoding: try Data(contentsOf: URL(fileURLWithPath: output)).prefix(128).dropFirst(10), as: UTF8.self)
        XCTAssertTrue(header.contains("'shape': (1, 3, 224, 224)"), header)
        let count = 3 * 224 * 224
        let ours = try floats(output, count: count)
        let reference = try floats(CommandLineRunner.fixture("preprocess/chelsea.resnet50.npy"), count: count)
        let maxDifference = zip(ours, reference).map { abs($0 - $1) }.max() ?? .infinity
        XCTAssertLessThanOrEqual(maxDifference, 1e-6)
    }

    func testBrokenImageIsOneLineError() throws {
        let image = CommandLineRunner.fixture("broken/truncated.jpg")
        let result = try CommandLineRunner.run(["preprocess", image, "--model", "resnet50", "--output", temporaryPath("broken.npy")])
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stderr, "error: \(image): invalid JPEG: Premature end of JPEG file\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: temporaryPath("broken.npy")))
    }

    func testUnknownModelIsRejected() throws {
        let result = try CommandLineRunner.run([
            "preprocess", CommandLineRunner.fixture("images/chelsea.png"),
            "--model", "resnet51", "--output", temporaryPath("x.npy"),
        ])
        XCTAssertEqual(result.status, 64)
        XCTAssertTrue(
            result.stderr.hasPrefix("error: --model resnet51: no torchvision preprocessing preset by that name (did you mean 'resnet50'?); known: "),
            result.stderr)
    }
}
