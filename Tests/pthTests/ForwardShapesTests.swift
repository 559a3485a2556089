import Foundation
import PthNumpy
import XCTest

/// `pth forward` from a whole pickled ResNet-18 and from its TorchScript archive: the logits PyTorch
/// computed from the same file (tools/fixtures/shapes.py).
final class ForwardShapesTests: XCTestCase {
    func testWholeModuleAndTorchScriptGivePyTorchsLogits() throws {
        let reference = try NpyArray(contentsOf: CommandLineRunner.fixture("shapes/resnet18_logits.npy"))
        let scale = reference.values.map(abs).max() ?? 0
        XCTAssertGreaterThan(scale, 0.1)
        for weights in ["resnet18_whole_zip.pth", "resnet18_scripted.pt"] {
            let output = FileManager.default.temporaryDirectory.appendingPathComponent("pth-forward-shapes-\(getpid())-\(weights).npy").path
            defer { try? FileManager.default.removeItem(atPath: output) }
            let result = try CommandLineRunner.run([
                "forward", "--weights", CommandLineRunner.fixture("shapes/\(weights)"),
                "--input", CommandLineRunner.fixture("shapes/resnet18_input.npy"), "--output", output,
            ])
            XCTAssertEqual(result.status, 0, "\(weights): \(result.stderr)")
            let ours = try NpyArray(contentsOf: output)
            XCTAssertEqual(ours.shape, [2, 10], weights)
            let difference = zip(ours.values, reference.values).map { abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThanOrEqual(difference / scale, 1e-5, weights)
        }
    }
}
