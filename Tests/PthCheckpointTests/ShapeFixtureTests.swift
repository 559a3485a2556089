import Foundation
import XCTest

@testable import PthCheckpoint

/// fixtures/shapes/ (tools/fixtures/shapes.py): whole pickled modules, TorchScript archives, safetensors
/// and files holding several state dicts, against what PyTorch itself read back from each file
/// (torch.load / torch.jit.load(...).state_dict() / safetensors' load_file); files that are no
/// checkpoint; and `Checkpoint.scan` against the opcodes' own global uses and torch.load(weights_only=True).
final class ShapeFixtureTests: XCTestCase {
    static let directory = FixtureTests.directory.deletingLastPathComponent().appendingPathComponent("shapes")

    struct Expected: Decodable {
        // swift-format-ignore: AlwaysUseLowerCamelCase
        struct Choice: Decodable { let path: String; let reason: String; let stripped_module_prefix: Bool }
        struct Entry: Decodable { let name: String; let dtype: String; let shape: [Int] }
        struct Elsewhere: Decodable { let path: String; let dtype: String; let shape: [Int] }
        let format: String
        // swift-format-ignore: AlwaysUseLowerCamelCase
        let state_dict: Choice
        let tensors: [Entry]
        let elsewhere: [Elsewhere]
        let opaque: [String]
    }

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static func expectations() throws -> [(name: String, expected: Expected)] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".json") && !["scan.json", "not_checkpoints.json"].contains($0) }.sorted()
            .map { (String($0.dropLast(5)), try JSONDecoder().decode(Expected.self, from: Data(contentsOf: directory.appendingPathComponent($0)))) }
    }

    func testEveryShapeGivesTheStateDictPyTorchRead() throws {
        let all = try Self.expectations()
        XCTAssertGreaterThanOrEqual(all.count, 13)
        XCTAssertEqual(Set(all.map(\.expected.format)), ["zip", "legacy", "tar", "torchscript", "safetensors"])
        for (name, expected) in all {
            let checkpoint = try Checkpoint(contentsOf: Self.path(name))
            XCTAssertEqual(checkpoint.format.rawValue, expected.format, name)
            XCTAssertEqual(checkpoint.opaqueObjects, expected.opaque, name)
            let selection = try checkpoint.selectStateDict(key: expected.state_dict.reason == "requested" ? expected.state_dict.path : nil)
            XCTAssertEqual(selection.choice.path, expected.state_dict.path, name)
            XCTAssertEqual(selection.choice.reason.rawValue, expected.state_dict.reason, name)
            XCTAssertEqual(selection.choice.strippedModulePrefix, expected.state_dict.stripped_module_prefix, name)
            XCTAssertEqual(selection.stateDict.names, expected.tensors.map(\.name), name)
            for (entry, want) in zip(selection.stateDict.entries, expected.tensors) {
                XCTAssertEqual(entry.tensor.dtype.rawValue, want.dtype, "\(name) \(entry.name)")
                XCTAssertEqual(entry.tensor.shape, want.shape, "\(name) \(entry.name)")
            }
            let elsewhere = try checkpoint.tensors(outside: selection.choice)
            XCTAssertEqual(elsewhere.map(\.path), expected.elsewhere.map(\.path), name)
        }
    }

    /// One model saved six ways: every copy of a tensor holds the same bytes as the safetensors file.
    func testTheTinyModelReadsAlikeInEveryShape() throws {
        let reference = try Checkpoint(contentsOf: Self.path("tiny.safetensors")).stateDict()
        XCTAssertEqual(
            Set(reference.names),
            [
                "0.weight", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                "1.num_batches_tracked", "5.weight", "5.bias", "scale",
            ])
        for name in ["tiny_whole_zip.pth", "tiny_whole_legacy.pth", "tiny_whole_tar.pth", "tiny_scripted.pt", "tiny_traced.pt"] {
            let stateDict = try Checkpoint(contentsOf: Self.path(name)).stateDict()
            for entry in reference.entries {
                XCTAssertEqual(stateDict[entry.name]?.contiguousBytes(), entry.tensor.contiguousBytes(), "\(name) \(entry.name)")
            }
            // The non-persistent buffer is left out of a pickled module's state dict, kept in TorchScript's.
            XCTAssertEqual(stateDict["cache"] != nil, name.hasSuffix(".pt"), name)
            XCTAssertNil(stateDict["0.bias"], "\(name): a None bias is skipped")
        }
        let module = try Checkpoint(contentsOf: Self.path("tiny_whole_zip.pth")).stateDict()
        XCTAssertEqual(module["1.num_batches_tracked"]?.dtype, .int64)
        XCTAssertEqual(module["1.num_batches_tracked"]?.floats(), [5])
        XCTAssertEqual(module["scale"]?.floats(), [0.5, 0.5, 0.5])
    }

    /// The legacy format's ('module', class, file, source) ids and the tar format's (class, file, source).
    func testWholeModuleRecordsEachClassSource() throws {
        for name in ["tiny_whole_legacy.pth", "tiny_whole_tar.pth"] {
            let checkpoint = try Checkpoint(contentsOf: Self.path(name))
            XCTAssertEqual(
                checkpoint.moduleSources.map(\.className),
                [
                    "torch.nn.modules.container.Sequential", "torch.nn.modules.conv.Conv2d", "torch.nn.modules.batchnorm.BatchNorm2d",
                    "torch.nn.modules.activation.ReLU", "torch.nn.modules.pooling.AdaptiveAvgPool2d", "torch.nn.modules.flatten.Flatten",
                    "torch.nn.modules.linear.Linear",
                ])
            XCTAssertTrue(checkpoint.moduleSources[1].source.contains("class Conv2d("))
            XCTAssertTrue(checkpoint.moduleSources[1].file.hasSuffix("torch/nn/modules/conv.py"))
            XCTAssertEqual(try Checkpoint.scan(contentsOf: Self.path(name)).moduleSources, checkpoint.moduleSources)
        }
    }

    func testTorchScriptDeclarationsAreReadFromCode() throws {
        let checkpoint = try Checkpoint(contentsOf: Self.path("tiny_traced.pt"))
        let batchNorm = try XCTUnwrap(checkpoint.scriptClasses.first { $0.key.hasSuffix(".BatchNorm2d") })
        XCTAssertTrue(batchNorm.key.hasPrefix("__torch__.torch.nn.modules.batchnorm.___torch_mangle_"), batchNorm.key)
        XCTAssertEqual(batchNorm.value, ScriptClass(parameters: ["weight", "bias"], buffers: ["running_mean", "running_var", "num_batches_tracked"]))
    }

    /// torch.jit's pickle helpers (`build_intlist`, `restore_type_tag`) wrap plain data, read as that data.
    func testTorchScriptAttributesAreData() throws {
        let checkpoint = try Checkpoint(contentsOf: Self.path("tiny_scripted.pt"))
        guard case .opaque(let sequential) = checkpoint.root, case .opaque(let conv)? = sequential.state?["0"] else {
            return XCTFail("root is \(checkpoint.root)")
        }
        guard case .list(let padding)? = conv.state?["_reversed_padding_repeated_twice"] else {
            return XCTFail("padding is \(String(describing: conv.state?["_reversed_padding_repeated_twice"]))")
        }
        XCTAssertEqual(padding.map { if case .int(let value) = $0 { return value } else { return -1 } }, [0, 0, 0, 0])
        XCTAssertFalse(checkpoint.opaqueObjects.contains { $0.hasPrefix("torch.jit._pickle.") }, "\(checkpoint.opaqueObjects)")
    }

    /// Uses per global as pickletools counts them over the opcodes, and exit status 2 exactly when
    /// torch.load(weights_only=True) refused the file (TorchScript archives always: their code runs on load).
    func testScanCountsEveryGlobalAndFollowsWeightsOnly() throws {
        struct Scan: Decodable { let status: Int; let globals: [String: Int] }
        let expected = try JSONDecoder().decode([String: Scan].self, from: Data(contentsOf: Self.directory.appendingPathComponent("scan.json")))
        XCTAssertGreaterThanOrEqual(expected.count, 15)
        for (name, want) in expected {
            let scan = try Checkpoint.scan(contentsOf: Self.path(name))
            XCTAssertEqual(Dictionary(uniqueKeysWithValues: scan.globals.map { ($0.name, $0.count) }), want.globals, name)
            let refused = scan.globals.contains { !$0.isWeightsOnlyAllowed }
            XCTAssertEqual(refused ? 2 : 0, want.status, name)
        }
    }

    func testFilesThatAreNoCheckpointAreNamedInOneLine() throws {
        let expected = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: Self.directory.appendingPathComponent("not_checkpoints.json")))
        XCTAssertGreaterThanOrEqual(expected.count, 11)
        for (name, words) in expected {
            XCTAssertThrowsError(try Checkpoint(contentsOf: Self.path(name)), name) { error in
                let message = "\(error)"
                XCTAssertTrue(message.contains(words), "\(name): \(message)")
                XCTAssertFalse(message.contains("\n"), name)
                XCTAssertFalse(message.contains("opcode") || message.contains("memo"), "\(name) ran pickle opcodes: \(message)")
            }
        }
    }

    func testAPathSelectsOneOfSeveralStateDicts() throws {
        let gan = try Checkpoint(contentsOf: Self.path("multi_gan.pth"))
        XCTAssertThrowsError(try gan.selectStateDict()) { error in
            XCTAssertTrue("\(error)".contains("dicts of tensors in the file: generator (2 tensors), discriminator (7 tensors)"), "\(error)")
        }
        XCTAssertEqual(try gan.selectStateDict(key: "generator").stateDict.names, ["weight", "bias"])
        XCTAssertThrowsError(try gan.selectStateDict(key: "critic")) { XCTAssertTrue("\($0)".contains("nothing at critic"), "\($0)") }
        let training = try Checkpoint(contentsOf: Self.path("multi_training.pth"))
        XCTAssertThrowsError(try training.selectStateDict(key: "epoch")) { XCTAssertTrue("\($0)".contains("epoch holds a int value"), "\($0)") }
        XCTAssertEqual(try training.selectStateDict(key: "optimizer.state.0").stateDict.names, ["momentum_buffer"])
        let whole = try Checkpoint(contentsOf: Self.path("tiny_whole_in_dict.pth")).selectStateDict()
        XCTAssertEqual(whole.choice, StateDictChoice(path: "model", reason: .searchOrder, strippedModulePrefix: false))
    }
}
