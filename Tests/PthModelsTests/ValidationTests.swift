import PthCheckpoint
import PthGraph
import PthModels
import XCTest

/// Builders check a state dict against the architecture: keys, shapes, dtypes, leftovers.
final class ValidationTests: XCTestCase {
    private func stateDict(_ model: String) throws -> StateDict {
        try Checkpoint(contentsOf: ModelFixture(model).weightsPath).stateDict()
    }

    private func zeros(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, float32: [Float](repeating: 0, count: shape.reduce(1, *)))
    }

    private func assertModelError(
        _ expression: @autoclosure () throws -> some Any, _ expected: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(try expression(), file: file, line: line) { error in
            XCTAssertEqual("\(error)", expected, file: file, line: line)
        }
    }

    func testWrongShapeNamesKeyAndBothShapes() throws {
        var weights = try stateDict("efficientnet_b0")
        XCTAssertEqual(weights["features.3.1.block.2.fc1.weight"]?.shape, [10, 240, 1, 1])
        weights["features.3.1.block.2.fc1.weight"] = zeros([4, 240, 1, 1])
        assertModelError(
            try Architecture.efficientnetB0.graph(from: weights),
            "features.3.1.block.2.fc1.weight: checkpoint has [4, 240, 1, 1], efficientnet_b0 expects [10, 240, 1, 1]")
    }

    func testMissingKeyNamesExpectedShape() throws {
        var weights = try stateDict("resnet50")
        weights["layer3.4.conv2.weight"] = nil
        assertModelError(
            try Architecture.resnet50.graph(from: weights),
            "layer3.4.conv2.weight: missing from checkpoint, resnet50 expects [256, 256, 3, 3]")
    }

    func testLeftoverKeysAreReported() throws {
        var weights = try stateDict("resnet50")
        weights["head.extra.weight"] = zeros([3])
        weights["layer5.0.conv1.weight"] = zeros([3])
        assertModelError(
            try Architecture.resnet50.graph(from: weights),
            "resnet50: 2 checkpoint key(s) not used by the architecture: head.extra.weight, layer5.0.conv1.weight")
    }

    func testIntegerTensorIsRejected() throws {
        var weights = try stateDict("resnet50")
        let storage = TensorStorage(dtype: .int64, bytes: [UInt8](repeating: 0, count: 8 * 64))
        weights["bn1.running_mean"] = try Tensor(storage: storage, storageOffset: 0, shape: [64], strides: [1])
        assertModelError(
            try Architecture.resnet50.graph(from: weights),
            "bn1.running_mean: checkpoint stores int64, resnet50 expects a floating-point tensor")
    }

    func testInceptionIgnoresAuxLogitsAndBatchCounters() throws {
        let weights = try stateDict("inception_v3")
        XCTAssertTrue(weights.names.contains { $0.hasPrefix("AuxLogits.") })
        XCTAssertTrue(weights.names.contains { $0.hasSuffix("num_batches_tracked") })
        let graph = try Architecture.inceptionV3().graph(from: weights)
        XCTAssertEqual(graph.taps.keys.sorted().first, "Mixed_5b")
    }

    func testClassifierTakesTheCheckpointsClassCount() throws {
        var weights = try stateDict("densenet121")
        weights["classifier.weight"] = zeros([10, 1024])
        weights["classifier.bias"] = zeros([10])
        let graph = try Architecture.densenet121.graph(from: weights)
        guard let output = graph.output, case .linear(let classifier) = graph[output].op else {
            return XCTFail("densenet121 graph does not end in its classifier")
        }
        XCTAssertEqual(classifier.weight.shape, [10, 1024])

        weights["classifier.bias"] = zeros([11])
        assertModelError(
            try Architecture.densenet121.graph(from: weights),
            "classifier.bias: checkpoint has [11], densenet121 expects [10]")
        weights["classifier.weight"] = zeros([10, 1000])
        assertModelError(
            try Architecture.densenet121.graph(from: weights),
            "classifier.weight: checkpoint has [10, 1000], densenet121 expects [N, 1024]")
    }

    func testUnknownArchitectureName() {
        XCTAssertThrowsError(try Architecture.named("resnet51")) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("resnet51: unknown architecture; known: resnet50, inception_v3, densenet121, efficientnet_b0, resnet18"), message)
            for name in ["vgg19_bn", "googlenet", "mobilenet_v3_small", "efficientnet_b7", "efficientnet_lite0", "lenet5"] {
                XCTAssertTrue(message.contains(name), "\(name) missing from: \(message)")
            }
        }
    }

    func testLegacyDenseNetKeysAreRenamedAsTorchvisionDoes() throws {
        var weights = try stateDict("densenet121")
        let current = weights.renamingKeys { $0 }
        weights = weights.renamingKeys { key in
            key.replacingOccurrences(of: ".norm1.", with: ".norm.1.").replacingOccurrences(of: ".conv2.", with: ".conv.2.")
        }
        XCTAssertNotNil(weights["features.denseblock2.denselayer3.norm.1.running_var"])
        XCTAssertNotNil(weights["features.denseblock4.denselayer16.conv.2.weight"])
        XCTAssertEqual(try Architecture.densenet121.graph(from: weights), try Architecture.densenet121.graph(from: current))
        // Only `denselayerN.{norm,relu,conv}.{1,2}.<parameter>` is legacy; anything else stays a stranger.
        weights["features.denseblock1.denselayer1.conv.3.weight"] = zeros([3])
        assertModelError(
            try Architecture.densenet121.graph(from: weights),
            "densenet121: 1 checkpoint key(s) not used by the architecture: features.denseblock1.denselayer1.conv.3.weight")
    }
}
