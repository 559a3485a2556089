import Foundation
import XCTest

/// `pth classify` as most users run it: their own fine-tuned network, saved the way their training
/// script saved it, on a folder of their own images — against what PyTorch answers for the same files
/// (`fixtures/finetuned/expected.json`, written by `tools/fixtures/finetuned.py`).
final class FineTunedClassifyTests: XCTestCase {
    private struct Expected: Decodable {
        var top: [Int]
        var labels: [String]
        var probs: [Double]
        // swift-format-ignore: AlwaysUseLowerCamelCase
        var rank_gap: Double
    }

    private struct Document: Decodable {
        var k: Int
        var networks: [String: [String: Expected]]
    }

    private static let document: Document = {
        let url = URL(fileURLWithPath: CommandLineRunner.fixture("finetuned/expected.json"))
        return try! JSONDecoder().decode(Document.self, from: Data(contentsOf: url))
    }()

    /// A user's folder: the fixture photos (JPEG, PNG) and the WebP copies of two of them.
    private func photoFolder(_ name: String) throws -> URL {
        let root = try ClassifyFixture.scratch(name)
        addTeardownBlock { try? FileManager.default.removeItem(at: root) }
        let folder = root.appendingPathComponent("my photos")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for photo in ["astronaut.jpg", "chelsea.png", "coffee.jpg", "motorcycle.jpg", "rocket.jpg"] {
            try FileManager.default.copyItem(atPath: CommandLineRunner.fixture("images/\(photo)"), toPath: folder.appendingPathComponent(photo).path)
        }
        for photo in ["astronaut.webp", "coffee.webp"] {
            try FileManager.default.copyItem(atPath: CommandLineRunner.fixture("finetuned/photos/\(photo)"), toPath: folder.appendingPathComponent(photo).path)
        }
        return folder
    }

    /// Checks every line against PyTorch's ranks, names and probabilities for `network`.
    private func assertMatchesPyTorch(_ stdout: String, network: String, labels: Bool = true, file: StaticString = #filePath, line: UInt = #line) {
        let expected = Self.document.networks[network]!
        let lines = ClassifyFixture.lines(stdout, file: file, line: line)
        XCTAssertEqual(lines.count, expected.count, file: file, line: line)
        for result in lines {
            let name = URL(fileURLWithPath: result.path).lastPathComponent
            guard let reference = expected[name], let top = result.top else {
                XCTFail("\(result.path): \(result.error ?? "not in the fixture")", file: file, line: line)
                continue
            }
            XCTAssertEqual(top.map(\.index), reference.top, name, file: file, line: line)
            if labels { XCTAssertEqual(top.map(\.label), reference.labels, name, file: file, line: line) }
            for (ours, theirs) in zip(top.map(\.prob), reference.probs) {
                XCTAssertEqual(ours, theirs, accuracy: 2e-5, name, file: file, line: line)
            }
        }
    }

    func testOwnFolderGetsTheCheckpointsClassNamesWithNoFlagsButWeights() throws {
        let folder = try photoFolder("pets")
        let result = try CommandLineRunner.run([
            "classify", folder.path, "--weights", CommandLineRunner.fixture("finetuned/resnet18_pets.pth"),
            "--format", "jsonl",
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        assertMatchesPyTorch(result.stdout, network: "resnet18_pets")
        let said = result.stderr.split(separator: "\n").first.map(String.init) ?? ""
        XCTAssertTrue(said.hasPrefix("pth: resnet18 (detected), 10 classes, 3-channel input · weights "), said)
        XCTAssertTrue(
            said.contains(
                "preprocessing resnet18.IMAGENET1K_V1 (the architecture's): rgb, bilinear resize 256, crop 224, "
                    + "mean 0.485,0.456,0.406, std 0.229,0.224,0.225"), said)
        XCTAssertTrue(said.contains("labels: checkpoint's class_to_idx"), said)
    }

    func testWholeModuleAndTorchScriptFilesGiveTheSameAnswers() throws {
        let folder = try photoFolder("pets-saved-whole")
        let whole = try CommandLineRunner.run([
            "classify", folder.path, "--weights", CommandLineRunner.fixture("finetuned/resnet18_pets_module.pth"),
            "--format", "jsonl",
        ])
        XCTAssertEqual(whole.status, 0, whole.stderr)
        // torch.save(model) keeps the attribute the training script set on the model.
        assertMatchesPyTorch(whole.stdout, network: "resnet18_pets")
        let scripted = try CommandLineRunner.run([
            "classify", folder.path, "--weights", CommandLineRunner.fixture("finetuned/resnet18_pets_scripted.pt"),
            "--format", "jsonl",
        ])
        XCTAssertEqual(scripted.status, 0, scripted.stderr)
        assertMatchesPyTorch(scripted.stdout, network: "resnet18_pets", labels: false)
    }

    func testGrayscaleNetworkTakesLuminance() throws {
        let folder = try photoFolder("gray")
        let result = try CommandLineRunner.run([
            "classify", folder.path, "--weights", CommandLineRunner.fixture("finetuned/resnet18_gray.pth"),
            "--format", "jsonl",
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        assertMatchesPyTorch(result.stdout, network: "resnet18_gray")
        XCTAssertTrue(result.stderr.contains("4 classes, 1-channel input"), result.stderr)
        XCTAssertTrue(result.stderr.contains(": grayscale, bilinear resize 256, crop 224, mean 0.458971, std 0.225609 · labels: none (class N)"), result.stderr)
    }

    func testLabelsFileOverridesTheCheckpointAndMustFitTheHead() throws {
        let folder = try photoFolder("labels")
        let labels = folder.deletingLastPathComponent().appendingPathComponent("names.txt")
        try Data((0..<10).map { "breed \($0)\n" }.joined().utf8).write(to: labels)
        let weights = CommandLineRunner.fixture("finetuned/resnet18_pets.pth")
        let result = try CommandLineRunner.run(["classify", folder.path, "--weights", weights, "--format", "jsonl", "--labels", labels.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let first = try XCTUnwrap(ClassifyFixture.lines(result.stdout).first?.top?.first)
        XCTAssertEqual(first.label, "breed \(first.index)")
        XCTAssertTrue(result.stderr.contains("labels: --labels \(labels.path)"), result.stderr)

        try Data("cat\ndog\n".utf8).write(to: labels)
        let wrong = try CommandLineRunner.run(["classify", folder.path, "--weights", weights, "--labels", labels.path])
        XCTAssertEqual(wrong.status, 2)
        XCTAssertEqual(wrong.stdout, "")
        XCTAssertEqual(wrong.stderr, "error: --labels \(labels.path): gives 2 class names, but the network has 10 classes\n")
    }

    func testMetaFileAndReportHeaderSayWhatWasChosen() throws {
        let folder = try photoFolder("meta")
        let meta = folder.deletingLastPathComponent().appendingPathComponent("run.json")
        let html = folder.deletingLastPathComponent().appendingPathComponent("report.html")
        let result = try CommandLineRunner.run([
            "classify", folder.path, "--weights", CommandLineRunner.fixture("finetuned/resnet18_pets.pth"),
            "--model", "resnet18", "--resize", "240", "--threads", "1",
            "--meta", meta.path, "--html", html.path,
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        let facts = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: meta)) as? [String: Any])
        XCTAssertEqual(facts["architecture"] as? String, "resnet18")
        XCTAssertEqual(facts["architecture_detected"] as? Bool, false)
        XCTAssertEqual(facts["classes"] as? Int, 10)
        XCTAssertEqual(facts["threads"] as? Int, 1)
        let preprocessing = try XCTUnwrap(facts["preprocessing"] as? [String: Any])
        XCTAssertEqual(preprocessing["name"] as? String, "resnet18.IMAGENET1K_V1")
        XCTAssertEqual(preprocessing["source"] as? String, "--model")
        XCTAssertEqual(preprocessing["overrides"] as? [String], ["--resize 240"])
        XCTAssertEqual(preprocessing["resize"] as? Int, 240)
        XCTAssertEqual(preprocessing["crop"] as? Int, 224)
        XCTAssertEqual((preprocessing["mean"] as? [Double])?.count, 3)
        let labels = try XCTUnwrap(facts["labels"] as? [String: Any])
        XCTAssertEqual(labels["source"] as? String, "checkpoint's class_to_idx")
        XCTAssertEqual(labels["count"] as? Int, 10)
        let page = try ClassifyFixture.read(html)
        XCTAssertTrue(page.contains("<header><h1>pth classify</h1><p>pth: resnet18 (--model), 10 classes"), page.prefix(2000).description)
        XCTAssertTrue(page.contains("with --resize 240: rgb, bilinear resize 240, crop 224"), page.prefix(2000).description)
    }

    func testStateDictIsChosenAndSaid() throws {
        let folder = try photoFolder("state-dict")
        let weights = CommandLineRunner.fixture("finetuned/resnet18_pets.pth")
        let found = try CommandLineRunner.run(["classify", folder.path, "--weights", weights, "--topk", "1"])
        XCTAssertTrue(
            found.stderr.contains("weights \(weights) [model (the first of state_dict, model_state_dict, model, net, ema that holds tensors)]"),
            found.stderr)
        let named = try CommandLineRunner.run(["classify", folder.path, "--weights", weights, "--state-dict", "model", "--topk", "1"])
        XCTAssertEqual(named.status, 0, named.stderr)
        XCTAssertTrue(named.stderr.contains("weights \(weights) [model (as requested)]"), named.stderr)
        let missing = try CommandLineRunner.run(["classify", folder.path, "--weights", weights, "--state-dict", "ema"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertEqual(missing.stderr.split(separator: "\n").count, 1, missing.stderr)
        XCTAssertTrue(missing.stderr.hasPrefix("error: \(weights): state dict: "), missing.stderr)
        XCTAssertTrue(missing.stderr.contains("model (122 tensors)"), missing.stderr)
    }

    func testLeNetHasAUsableDefault() throws {
        let folder = try photoFolder("lenet")
        let result = try CommandLineRunner.run(["classify", folder.path, "--weights", CommandLineRunner.fixture("models/lenet5.pth"), "--topk", "2"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(
            result.stderr.contains("preprocessing lenet5.DEFAULT (the architecture's): grayscale, bilinear resize 32, crop 32, mean 0.0, std 1.0"),
            result.stderr)
        XCTAssertEqual(result.stdout.split(separator: "\n").count, 7)
    }
}
