import Foundation
import PthNumpy
import XCTest

/// `pth embed` on image folders and on preprocessed batches, against PyTorch's features with the final
/// Linear an `nn.Identity()` (`fixtures/finetuned/resnet18_pets_embeddings.npy`, `fixtures/models/*/embedding_*.npy`).
final class EmbedCommandTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = try ClassifyFixture.scratch(name)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    func testFolderToMatrixAndPathsFile() throws {
        let output = root.appendingPathComponent("emb.npy")
        let result = try CommandLineRunner.run([
            "embed", CommandLineRunner.fixture("images"), "--weights",
            CommandLineRunner.fixture("finetuned/resnet18_pets.pth"), "--output", output.path,
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.messages.hasSuffix("embedded 5 images, 0 failed\n"), result.stderr)
        let ours = try NpyArray(contentsOf: output.path)
        XCTAssertEqual(ours.shape, [5, 512])
        let rows = try ClassifyFixture.read(root.appendingPathComponent("emb.paths.txt")).split(separator: "\n").map(String.init)
        XCTAssertEqual(rows.map { URL(fileURLWithPath: $0).lastPathComponent }, ["astronaut.jpg", "chelsea.png", "coffee.jpg", "motorcycle.jpg", "rocket.jpg"])
        // PyTorch's rows are in sorted name order with the two WebP copies among them.
        let reference = try NpyArray(contentsOf: CommandLineRunner.fixture("finetuned/resnet18_pets_embeddings.npy"))
        for (row, referenceRow) in zip(0..<5, [0, 2, 3, 5, 6]) {
            XCTAssertLessThanOrEqual(
                relativeError(ours.values[row * 512..<(row + 1) * 512], reference.values[referenceRow * 512..<(referenceRow + 1) * 512]),
                1e-4, rows[row])
        }
    }

    func testJSONLinesKeepGoingPastABrokenImage() throws {
        let folder = root.appendingPathComponent("mixed")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: CommandLineRunner.fixture("images/rocket.jpg"), toPath: folder.appendingPathComponent("a.jpg").path)
        try FileManager.default.copyItem(atPath: CommandLineRunner.fixture("broken/truncated.jpg"), toPath: folder.appendingPathComponent("b.jpg").path)
        let result = try CommandLineRunner.run([
            "embed", folder.path, "--weights", CommandLineRunner.fixture("finetuned/resnet18_pets.pth"),
            "--format", "jsonl", "--threads", "1",
        ])
        XCTAssertEqual(result.status, 1, result.stderr)
        let lines = result.stdout.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        XCTAssertEqual(lines.count, 2)
        let embedding = try XCTUnwrap(lines[0]["embedding"] as? [Double])
        XCTAssertEqual(embedding.count, 512)
        let reference = try NpyArray(contentsOf: CommandLineRunner.fixture("finetuned/resnet18_pets_embeddings.npy"))
        XCTAssertLessThanOrEqual(relativeError(embedding.map(Float.init)[...], reference.values[6 * 512..<7 * 512]), 1e-4)
        XCTAssertEqual(lines[1]["error"] as? String, "invalid JPEG: Premature end of JPEG file")
        XCTAssertTrue(result.messages.hasSuffix("embedded 1 image, 1 failed\n"), result.stderr)
    }

    func testPreprocessedBatch() throws {
        let output = root.appendingPathComponent("features.npy")
        let result = try CommandLineRunner.run([
            "embed", "--weights", CommandLineRunner.fixture("models/resnet18.pth"),
            "--input", CommandLineRunner.fixture("models/inputs/random_224.npy"), "--output", output.path,
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        let ours = try NpyArray(contentsOf: output.path)
        let reference = try NpyArray(contentsOf: CommandLineRunner.fixture("models/resnet18/embedding_random.npy"))
        XCTAssertEqual(ours.shape, reference.shape)
        for image in 0..<2 {
            XCTAssertLessThanOrEqual(relativeError(ours.values[image * 512..<(image + 1) * 512], reference.values[image * 512..<(image + 1) * 512]), 1e-4)
        }
        let both = try CommandLineRunner.run([
            "embed", "x.jpg", "--weights", CommandLineRunner.fixture("models/resnet18.pth"),
            "--input", CommandLineRunner.fixture("models/inputs/random_224.npy"), "--output", output.path,
        ])
        XCTAssertNotEqual(both.status, 0)
        XCTAssertTrue(both.stderr.contains("give image paths or --input, not both"), both.stderr)
    }
}
