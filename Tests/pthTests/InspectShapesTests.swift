import Foundation
import XCTest

/// `pth inspect` on whole modules, TorchScript, safetensors and files with several state dicts:
/// byte for byte the JSON tools/fixtures/shapes.py computed from what PyTorch read back.
final class InspectShapesTests: XCTestCase {
    static let directory = CommandLineRunner.repositoryRoot.appendingPathComponent("fixtures/shapes")

    func testJSONIsExactlyWhatPyTorchReadForEveryShape() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path)
            .filter { $0.hasSuffix(".json") && !["scan.json", "not_checkpoints.json"].contains($0) }.sorted()
        XCTAssertGreaterThanOrEqual(names.count, 13)
        for name in names {
            let data = try Data(contentsOf: Self.directory.appendingPathComponent(name))
            let choice = try XCTUnwrap((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["state_dict"] as? [String: Any])
            let key = choice["reason"] as? String == "requested" ? ["--state-dict", choice["path"] as! String] : []
            let result = try CommandLineRunner.run(["inspect", "--json"] + key + [CommandLineRunner.fixture("shapes/\(name.dropLast(5))")])
            XCTAssertEqual(result.status, 0, "\(name): \(result.stderr)")
            XCTAssertEqual(result.stdout, String(decoding: data, as: UTF8.self), name)
        }
    }

    func testTableSaysWhichStateDictAndListsTheRest() throws {
        let result = try CommandLineRunner.run(["inspect", CommandLineRunner.fixture("shapes/multi_nested.pth")])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(
            result.stdout,
            """
            format: zip
            state dict: state.model (the only dict of tensors in the file); `module.` prefix stripped
            name    dtype    shape    size
            weight  float32  [8, 4]  128 B
            bias    float32  [8]      32 B
            2 tensors, 160 B
            opaque objects: none

            """)
        let training = try CommandLineRunner.run(["inspect", CommandLineRunner.fixture("shapes/multi_training.pth")])
        XCTAssertTrue(
            training.stdout.contains("state dict: model (the first of state_dict, model_state_dict, model, net, ema that holds tensors)\n"), training.stdout)
        XCTAssertTrue(training.stdout.contains("elsewhere in the file: 14 tensors"), training.stdout)
        XCTAssertTrue(training.stdout.contains("\nema.1.running_var "), training.stdout)
    }

    func testNoFittingStateDictListsTheCandidates() throws {
        let result = try CommandLineRunner.run(["inspect", CommandLineRunner.fixture("shapes/multi_gan.pth")])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.hasSuffix("dicts of tensors in the file: generator (2 tensors), discriminator (7 tensors)\n"), result.stderr)
    }

    func testScanOfEveryShape() throws {
        let legacy = try CommandLineRunner.run(["inspect", "--scan", CommandLineRunner.fixture("shapes/tiny_whole_legacy.pth")])
        XCTAssertEqual(legacy.status, 3, legacy.stderr)
        XCTAssertTrue(legacy.stdout.contains("allowlist: PyTorch's own weights_only=True unpickler"), legacy.stdout)
        XCTAssertEqual(Self.uses(legacy.stdout, "FOREIGN", "torch.nn.modules.conv.Conv2d"), 1, legacy.stdout)
        XCTAssertEqual(Self.uses(legacy.stdout, "allowlisted", "__builtin__.set"), 7, legacy.stdout)
        XCTAssertTrue(
            legacy.stdout.contains("module classes saved with their source (recorded, never run): torch.nn.modules.container.Sequential ("), legacy.stdout)
        let script = try CommandLineRunner.run(["inspect", "--scan", CommandLineRunner.fixture("shapes/resnet18_scripted.pt")])
        XCTAssertEqual(script.status, 3)
        XCTAssertTrue(script.stdout.contains("its code/ is TorchScript, not Python"), script.stdout)
        XCTAssertEqual(Self.uses(script.stdout, "SCRIPTED", "__torch__.torchvision.models.resnet.ResNet"), 1, script.stdout)
        XCTAssertEqual(Self.uses(script.stdout, "SCRIPTED", "torch.jit._pickle.build_intlist"), 20, script.stdout)
        XCTAssertEqual(Self.uses(script.stdout, "allowlisted", "torch._utils._rebuild_tensor_v2"), 122, script.stdout)
        let quantized = try CommandLineRunner.run(["inspect", "--scan", CommandLineRunner.fixture("shapes/quantized.pth")])
        XCTAssertEqual(quantized.status, 0, quantized.stdout)
        XCTAssertEqual(Self.uses(quantized.stdout, "allowlisted", "torch._utils._rebuild_qtensor"), 1, quantized.stdout)
        XCTAssertEqual(Self.uses(quantized.stdout, "allowlisted", "torch.per_tensor_affine"), 1, quantized.stdout)
        let safetensors = try CommandLineRunner.run(["inspect", "--scan", CommandLineRunner.fixture("shapes/tiny.safetensors")])
        XCTAssertEqual(safetensors.status, 0)
        XCTAssertTrue(safetensors.stdout.contains("no pickle"), safetensors.stdout)
    }

    /// The use count `--scan` printed for `name` under `label`, or nil when it has no such line.
    static func uses(_ output: String, _ label: String, _ name: String) -> Int? {
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count >= 3, fields[0] == label, fields[1] == name, fields[2].hasSuffix("×") { return Int(fields[2].dropLast()) }
        }
        return nil
    }
}
