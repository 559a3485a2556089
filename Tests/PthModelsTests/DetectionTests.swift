import PthCheckpoint
import PthModels
import XCTest

/// Architecture detection from a state dict's keys and shapes alone.
final class DetectionTests: XCTestCase {
    func testEveryFixtureIsDetected() throws {
        for model in [
            "resnet50", "inception_v3", "densenet121", "efficientnet_b0", "lenet5", "resnet18", "resnet34", "mobilenet_v2",
            "mobilenet_v3_large", "mobilenet_v3_small", "googlenet", "densenet169", "efficientnet_b1", "efficientnet_lite0",
        ] {
            let weights = try Checkpoint(contentsOf: ModelFixture(model).weightsPath).stateDict()
            let (architecture, graph) = try Architecture.detect(in: weights)
            XCTAssertEqual(architecture.name, model)
            XCTAssertNotNil(graph.output)
        }
    }

    func testFamilyMemberOfAnotherDepthIsNotMistaken() throws {
        // resnet50's keys plus a fourth layer1 block: a deeper ResNet, which resnet50 must not claim.
        var weights = try Checkpoint(contentsOf: ModelFixture("resnet50").weightsPath).stateDict()
        for name in weights.names where name.hasPrefix("layer1.2.") {
            weights[name.replacingOccurrences(of: "layer1.2.", with: "layer1.3.")] = weights[name]
        }
        XCTAssertThrowsError(try Architecture.detect(in: weights)) { error in
            XCTAssertTrue("\(error)".contains("resnet50 (resnet50: 15 checkpoint key(s) not used by the architecture: layer1.3.conv1.weight"), "\(error)")
        }
    }

    func testFailureListsEveryCandidate() {
        let weights = StateDict([.init(name: "encoder.weight", tensor: Tensor(shape: [2], float32: [1, 2]))])
        XCTAssertThrowsError(try Architecture.detect(in: weights)) { error in
            let message = "\(error)"
            XCTAssertTrue(
                message.hasPrefix(
                    "checkpoint: no known architecture matches its 1 keys; considered: "
                        + "resnet50 (conv1.weight: missing from checkpoint, resnet50 expects [64, 3, 7, 7]); "
                        + "inception_v3 (Conv2d_1a_3x3.conv.weight: missing from checkpoint, inception_v3 expects [32, 3, 3, 3]); "), message)
            for fragment in [
                "; googlenet (conv1.conv.weight: missing from checkpoint, googlenet expects [64, 3, 7, 7])",
                "; efficientnet_lite0 (_conv_stem.weight: missing from checkpoint, efficientnet_lite0 expects [32, 3, 3, 3])",
                "; lenet5 (conv1.weight: missing from checkpoint, lenet5 expects [6, 1, 5, 5])",
            ] {
                XCTAssertTrue(message.contains(fragment), "\(fragment) missing from: \(message)")
            }
            for architecture in Architecture.all {
                XCTAssertTrue(message.contains(" \(architecture.name) ("), "\(architecture.name) not listed")
            }
        }
    }
}
