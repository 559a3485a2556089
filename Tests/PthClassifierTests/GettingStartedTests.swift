import Foundation
import PthClassifier
import PthNumpy
import PthRuntime
import XCTest

/// The getting-started article's code (`Sources/PthClassifier/PthClassifier.docc/GettingStarted.md`),
/// compiled and run here on the fixtures: each section's code block stands verbatim in a test below, and
/// `testArticleCodeIsTheCodeTestedHere` fails when the article and this file drift apart.
final class GettingStartedTests: XCTestCase {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    private let weights = root.appendingPathComponent("fixtures/finetuned/resnet18_pets.pth").path
    private let folder = root.appendingPathComponent("fixtures/images").path

    func testLoadACheckpoint() throws {
        let classifier = try ImageClassifier(contentsOf: weights)
        print(classifier.network.architecture.name, classifier.network.classes, classifier.labels.source)
        XCTAssertEqual(classifier.network.classes, 10)
    }

    func testClassifyAFolder() throws {
        let classifier = try ImageClassifier(contentsOf: weights)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted().map { "\(folder)/\($0)" }
        for (file, result) in zip(files, try classifier.classify(imagesAt: files, topK: 3)) {
            switch result {
            case .success(let top): print(file, top.map { "\($0.label) \($0.probability)" })
            case .failure(let error): print(file, error.message)
            }
        }
        XCTAssertEqual(try classifier.classify(imagesAt: files, topK: 3).filter { (try? $0.get()) != nil }.count, files.count)
    }

    func testComputeEmbeddings() throws {
        let classifier = try ImageClassifier(contentsOf: weights)
        let a = try classifier.embedding(imageAt: "\(folder)/chelsea.png")
        let b = try classifier.embedding(imageAt: "\(folder)/coffee.jpg")
        func dot(_ x: [Float], _ y: [Float]) -> Float { zip(x, y).reduce(0) { $0 + $1.0 * $1.1 } }
        let cosine = dot(a, b) / (dot(a, a) * dot(b, b)).squareRoot()
        print("cosine similarity", cosine)
        XCTAssertTrue(cosine > -1.0001 && cosine < 1.0001)
    }

    func testCheckParityWithPyTorch() throws {
        // The fixtures hold what the article's Python writes: a preprocessed batch and PyTorch's logits.
        let models = Self.root.appendingPathComponent("fixtures/models")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("pth-getting-started-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: models.appendingPathComponent("inputs/random_224.npy"), to: scratch.appendingPathComponent("x.npy"))
        try FileManager.default.copyItem(at: models.appendingPathComponent("resnet18/logits_random.npy"), to: scratch.appendingPathComponent("y.npy"))
        let previous = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(scratch.path))
        defer {
            _ = FileManager.default.changeCurrentDirectoryPath(previous)
            try? FileManager.default.removeItem(at: scratch)
        }
        let classifier = try ImageClassifier(contentsOf: models.appendingPathComponent("resnet18.pth").path)
        let batch = try NpyArray(contentsOf: "x.npy")
        let logits = try classifier.network.run(FeatureMap(shape: batch.shape, values: batch.values))
        let reference = try NpyArray(contentsOf: "y.npy")
        let error = zip(logits.values, reference.values).map { abs($0 - $1) }.max()! / reference.values.map(abs).max()!
        print("relative L∞ error", error)  // about 1e-6 for float32 networks
        XCTAssertLessThanOrEqual(error, 1e-5)
    }

    func testArticleCodeIsTheCodeTestedHere() throws {
        let article = try String(contentsOf: Self.root.appendingPathComponent("Sources/PthClassifier/PthClassifier.docc/GettingStarted.md"), encoding: .utf8)
        let tests = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        let squeezed = { (text: String) in text.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        let blocks = article.components(separatedBy: "```swift\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        XCTAssertEqual(blocks.count, 5)
        // The first block is a Package.swift line, not code to run.
        for block in blocks.dropFirst() {
            XCTAssertTrue(squeezed(tests).contains(squeezed(block)), "the article's code is not tested verbatim:\n\(block)")
        }
    }
}
