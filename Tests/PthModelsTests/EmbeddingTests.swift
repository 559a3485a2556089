import Foundation
import PthCheckpoint
import PthModels
import PthNumpy
import PthRuntime
import XCTest

/// `Network.embed` against PyTorch's features with the final Linear replaced by `nn.Identity()`
/// (`fixtures/models/NAME/embedding_INPUT.npy`, written by `tools/fixtures/embeddings.py`), for every
/// family: relative L∞ error per image ≤ 1e-4, as the logits are held to.
final class EmbeddingTests: XCTestCase {
    static let architectures = [
        ("lenet5", 84), ("resnet18", 512), ("resnet34", 512), ("resnet50", 2048), ("inception_v3", 2048), ("densenet121", 1024),
        ("efficientnet_b0", 1280), ("efficientnet_b1", 1280), ("googlenet", 1024), ("mobilenet_v2", 1280),
        ("mobilenet_v3_large", 1280), ("mobilenet_v3_small", 1024), ("efficientnet_lite0", 1280),
    ]

    func testEmbeddingsMatchPyTorchForEveryFamily() throws {
        for (model, features) in Self.architectures {
            let fixture = try ModelFixture(model)
            let network = try Network(contentsOf: fixture.weightsPath, architecture: model, threads: 2)
            XCTAssertEqual(network.embeddingSize, features, model)
            for name in fixture.inputs.keys.sorted() {
                let input = try fixture.input(name)
                let reference = try NpyArray(contentsOf: ModelFixture.directory.appendingPathComponent("\(model)/embedding_\(name).npy").path)
                let ours = try network.embed(FeatureMap(shape: input.shape, values: input.values))
                XCTAssertEqual(ours.shape, reference.shape, "\(model) \(name)")
                XCTAssertEqual(ours.shape, [input.shape[0], features], "\(model) \(name)")
                for image in 0..<reference.shape[0] {
                    let row = image * features..<(image + 1) * features
                    let error = relativeError(Array(ours.values[row]), Array(reference.values[row]))
                    XCTAssertLessThanOrEqual(error, 1e-4, "\(model) \(name)[\(image)] embedding")
                }
            }
        }
    }

    func testLogitsAreTheFinalLinearOfTheEmbedding() throws {
        // fc(embedding) must give the logits: a tap in the wrong place (before the pool, after a ReLU) would not.
        let fixture = try ModelFixture("resnet18")
        let network = try Network(contentsOf: fixture.weightsPath, architecture: "resnet18", threads: 1)
        let stateDict = try Checkpoint(contentsOf: fixture.weightsPath).stateDict()
        let weight = try XCTUnwrap(stateDict["fc.weight"]).floats(), bias = try XCTUnwrap(stateDict["fc.bias"]).floats()
        let input = try fixture.input("random")
        let result = try network.run(FeatureMap(shape: input.shape, values: input.values), capturing: [Architecture.embeddingTap])
        let embedding = try XCTUnwrap(result.taps[Architecture.embeddingTap])
        let features = network.embeddingSize, classes = network.classes
        for image in 0..<input.shape[0] {
            let row = Array(embedding.values[image * features..<(image + 1) * features])
            var logits = [Float](repeating: 0, count: classes)
            for c in 0..<classes {
                var sum = Double(bias[c])
                for f in 0..<features { sum += Double(weight[c * features + f]) * Double(row[f]) }
                logits[c] = Float(sum)
            }
            XCTAssertLessThanOrEqual(relativeError(logits, Array(result.output.values[image * classes..<(image + 1) * classes])), 1e-5)
        }
    }
}
