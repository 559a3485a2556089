import Foundation
import PthClassifier
import PthNumpy
import PthVision
import XCTest

/// `ImageClassifier` on the fine-tuned fixtures, against PyTorch's answers for the same files
/// (`fixtures/finetuned/`, written by `tools/fixtures/finetuned.py`).
final class ImageClassifierTests: XCTestCase {
    private struct Expected: Decodable {
        var top: [Int]
        var labels: [String]
        var probs: [Double]
    }

    private static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures")

    private static func fixture(_ relative: String) -> String { fixtures.appendingPathComponent(relative).path }

    private static let expected: [String: [String: Expected]] = {
        struct Document: Decodable { var networks: [String: [String: Expected]] }
        let data = try! Data(contentsOf: URL(fileURLWithPath: fixture("finetuned/expected.json")))
        return try! JSONDecoder().decode(Document.self, from: data).networks
    }()

    private static let photos = ["astronaut.jpg", "chelsea.png", "coffee.jpg", "motorcycle.jpg", "rocket.jpg"].map { fixture("images/\($0)") }

    private func assertMatches(
        _ predictions: [Prediction], _ photo: String, network: String = "resnet18_pets",
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let reference = Self.expected[network]![URL(fileURLWithPath: photo).lastPathComponent]!
        XCTAssertEqual(predictions.map(\.index), Array(reference.top.prefix(predictions.count)), photo, file: file, line: line)
        XCTAssertEqual(predictions.map(\.label), Array(reference.labels.prefix(predictions.count)), photo, file: file, line: line)
        for (ours, theirs) in zip(predictions.map(\.probability), reference.probs) {
            XCTAssertEqual(ours, theirs, accuracy: 2e-5, photo, file: file, line: line)
        }
    }

    func testOneFileItsBytesAndABatchMatchPyTorch() throws {
        let classifier = try ImageClassifier(contentsOf: Self.fixture("finetuned/resnet18_pets.pth"))
        XCTAssertEqual(classifier.labels.source, "checkpoint's class_to_idx")
        XCTAssertEqual(classifier.presetSource, "the architecture's")
        assertMatches(try classifier.classify(imageAt: Self.photos[1], topK: 5), Self.photos[1])
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.photos[2])))
        assertMatches(try classifier.classify(imageData: bytes, name: "coffee", topK: 3), Self.photos[2])

        var seen: [(Int, Int)] = []
        let broken = Self.fixture("broken/truncated.jpg")
        let results = try classifier.classify(imagesAt: Self.photos + [broken], topK: 5, batchSize: 2) { seen.append(($0, $1)) }
        XCTAssertEqual(results.count, 6)
        for (photo, result) in zip(Self.photos, results) { assertMatches(try result.get(), photo) }
        guard case .failure(let error) = results[5] else { return XCTFail("a truncated JPEG was classified") }
        XCTAssertEqual(error.path, broken)
        XCTAssertEqual(seen.map(\.0), [2, 4, 6])
        XCTAssertTrue(seen.allSatisfy { $0.1 == 6 })
    }

    func testAsyncBatchAndConcurrentCallers() async throws {
        let classifier = try ImageClassifier(contentsOf: Self.fixture("finetuned/resnet18_pets.pth"))
        let results = try await classifier.classify(imagesAt: Self.photos, topK: 2)
        for (photo, result) in zip(Self.photos, results) { assertMatches(try result.get(), photo) }
        // One classifier shared by several tasks gives each the same answers.
        try await withThrowingTaskGroup(of: (Int, [Prediction]).self) { group in
            for (index, photo) in Self.photos.enumerated() {
                group.addTask { (index, try classifier.classify(imageAt: photo, topK: 4)) }
            }
            for try await (index, predictions) in group { assertMatches(predictions, Self.photos[index]) }
        }
    }

    func testEmbeddingsMatchPyTorchsFeatures() throws {
        let classifier = try ImageClassifier(contentsOf: Self.fixture("finetuned/resnet18_pets.pth"))
        let reference = try NpyArray(contentsOf: Self.fixture("finetuned/resnet18_pets_embeddings.npy"))
        // Rows are in sorted photo-name order, WebP copies included: astronaut.jpg is row 0, chelsea.png row 2.
        XCTAssertEqual(reference.shape, [7, 512])
        let rows = ["astronaut.jpg": 0, "chelsea.png": 2, "motorcycle.jpg": 5, "rocket.jpg": 6]
        let results = try classifier.embeddings(imagesAt: rows.keys.sorted().map { Self.fixture("images/\($0)") }, batchSize: 3)
        for (name, result) in zip(rows.keys.sorted(), results) {
            let ours = try result.get(), row = rows[name]!
            let theirs = Array(reference.values[row * 512..<(row + 1) * 512])
            XCTAssertLessThanOrEqual(relativeError(ours, theirs), 1e-4, name)
        }
        XCTAssertEqual(try classifier.embedding(imageAt: Self.fixture("images/rocket.jpg")), try results[3].get())
    }

    func testGrayscaleNetworkAndStatedConfiguration() throws {
        let gray = try ImageClassifier(contentsOf: Self.fixture("finetuned/resnet18_gray.pth"))
        XCTAssertEqual(gray.preprocessor.channels, 1)
        XCTAssertEqual(gray.labels.source, "none (class N)")
        assertMatches(try gray.classify(imageAt: Self.photos[0], topK: 4), Self.photos[0], network: "resnet18_gray")

        let names = (0..<10).map { "pet \($0)" }
        let named = try ImageClassifier(
            contentsOf: Self.fixture("finetuned/resnet18_pets.pth"),
            configuration: .init(architecture: "resnet18", labels: names, threads: 1))
        let top = try named.classify(imageAt: Self.photos[3], topK: 1)
        XCTAssertEqual(top.first?.label, "pet \(top.first?.index ?? -1)")
        XCTAssertThrowsError(
            try ImageClassifier(
                contentsOf: Self.fixture("finetuned/resnet18_pets.pth"),
                configuration: .init(labels: ["cat", "dog"]))
        ) { error in
            XCTAssertEqual("\(error)", "labels: gives 2 class names, but the network has 10 classes")
        }
        XCTAssertThrowsError(
            try ImageClassifier(
                contentsOf: Self.fixture("finetuned/resnet18_pets.pth"),
                configuration: .init(architecture: "resnet51")))
    }
}
