import Foundation
import PthCheckpoint
import PthModels
import PthRuntime
import XCTest

/// The classification zoo against PyTorch, by the method of `ParityTests`, in every `swift test`. The small and
/// medium networks load their committed checkpoints from `fixtures/models/`; the big ones (ResNet101/152,
/// ResNeXt, Wide ResNet, DenseNet161/201, AlexNet, VGG, EfficientNet-B2…B7), whose periodic weights DEFLATE
/// cannot shrink enough to commit, are rebuilt in memory from their `ZooRecipe` and run on the photos and a
/// random batch at the smallest side at which every convolution uses every tap of its kernel
/// (`tools/fixtures/zoo.py`'s `SMALLEST_SIDE`: 32 for VGG, 63 for AlexNet, 64 for the ResNets and DenseNets,
/// 96 for the EfficientNets). vgg19_bn's reference is PyTorch's float64 forward: no salt tried gave a network
/// PyTorch's own float32 computes closely enough to float64 to serve as the reference (see zoo.py's
/// `FLOAT64_REFERENCE`), so our float32 run is held to the same bounds against the exact result.
final class ZooParityTests: XCTestCase {
    func testLeNet5() throws { try checkParity(ModelFixture("lenet5")) }
    func testResNet18() throws { try checkParity(ModelFixture("resnet18")) }
    func testResNet34() throws { try checkParity(ModelFixture("resnet34")) }
    func testMobileNetV2() throws { try checkParity(ModelFixture("mobilenet_v2")) }
    func testMobileNetV3Large() throws { try checkParity(ModelFixture("mobilenet_v3_large")) }
    func testMobileNetV3Small() throws { try checkParity(ModelFixture("mobilenet_v3_small")) }
    func testGoogLeNet() throws { try checkParity(ModelFixture("googlenet")) }
    /// Stored in the 2017 key layout (`denselayer1.norm.1.weight`): the legacy remap on a whole network.
    func testDenseNet169LegacyKeys() throws {
        let fixture = try ModelFixture("densenet169")
        let names = try Checkpoint(contentsOf: fixture.weightsPath).stateDict().names
        XCTAssertTrue(names.contains("features.denseblock1.denselayer1.norm.1.weight"))
        XCTAssertFalse(names.contains("features.denseblock1.denselayer1.norm1.weight"))
        try checkParity(fixture)
    }
    func testEfficientNetB1() throws { try checkParity(ModelFixture("efficientnet_b1")) }
    /// Periodic weights in the lukemelas layout, so CI checks the architecture without the real checkpoint.
    func testEfficientNetLite0Synthetic() throws { try checkParity(ModelFixture("efficientnet_lite0")) }

    func testResNet101() throws { try checkParity(ModelFixture("resnet101")) }
    func testResNet152() throws { try checkParity(ModelFixture("resnet152")) }
    func testResNeXt50() throws { try checkParity(ModelFixture("resnext50_32x4d")) }
    func testResNeXt101() throws { try checkParity(ModelFixture("resnext101_32x8d")) }
    func testWideResNet50() throws { try checkParity(ModelFixture("wide_resnet50_2")) }
    func testDenseNet161() throws { try checkParity(ModelFixture("densenet161")) }
    func testDenseNet201() throws { try checkParity(ModelFixture("densenet201")) }
    func testAlexNet() throws { try checkParity(ModelFixture("alexnet")) }
    func testVGG11() throws { try checkParity(ModelFixture("vgg11")) }
    func testVGG11BN() throws { try checkParity(ModelFixture("vgg11_bn")) }
    func testVGG13() throws { try checkParity(ModelFixture("vgg13")) }
    func testVGG13BN() throws { try checkParity(ModelFixture("vgg13_bn")) }
    func testVGG16() throws { try checkParity(ModelFixture("vgg16")) }
    func testVGG16BN() throws { try checkParity(ModelFixture("vgg16_bn")) }
    func testVGG19() throws { try checkParity(ModelFixture("vgg19")) }
    /// Against PyTorch's float64 forward (PyTorch's own float32 is 5.5e-5 off it), with twice the standard
    /// bounds: Winograd F(4×4, 3×3), which every 3×3 conv of this network takes at 32×32, roughly doubles the
    /// float32 rounding of its 16 unresidualised BatchNorm layers. Measured: logits up to 1.3e-4 from float64
    /// and the two runs of an image 4.5e-5 apart; with Winograd switched off (an experiment, not a mode),
    /// 4.7e-5 and bit-identical, as close as PyTorch's float32.
    func testVGG19BN() throws {
        let fixture = try ModelFixture("vgg19_bn")
        XCTAssertEqual(fixture.reference, "float64")
        try checkParity(fixture, bounds: ParityBounds(logits: 2e-4, batchAgreement: 6e-5))
    }
    func testEfficientNetB2() throws { try checkParity(ModelFixture("efficientnet_b2")) }
    func testEfficientNetB3() throws { try checkParity(ModelFixture("efficientnet_b3")) }
    func testEfficientNetB4() throws { try checkParity(ModelFixture("efficientnet_b4")) }
    func testEfficientNetB5() throws { try checkParity(ModelFixture("efficientnet_b5")) }
    func testEfficientNetB6() throws { try checkParity(ModelFixture("efficientnet_b6")) }
    func testEfficientNetB7() throws { try checkParity(ModelFixture("efficientnet_b7")) }

    /// The recipe contract on networks whose checkpoints are committed: zoo.py wrote resnet18's and
    /// efficientnet_b1's recipes from those files, and the rebuilt state dicts must equal the loaded ones
    /// bit for bit (names in order, dtypes, shapes, bytes).
    func testRecipeRebuildsCommittedCheckpointsBitForBit() throws {
        for model in ["resnet18", "efficientnet_b1"] {
            let fixture = try ModelFixture(model)
            let rebuilt = try ZooRecipe("\(model)/recipe.json", in: ModelFixture.directory).stateDict(in: ModelFixture.directory)
            let loaded = try Checkpoint(contentsOf: fixture.weightsPath).stateDict()
            XCTAssertEqual(rebuilt.names, loaded.names, model)
            for (ours, theirs) in zip(rebuilt.entries, loaded.entries) {
                XCTAssertEqual(ours.tensor.dtype, theirs.tensor.dtype, "\(model) \(ours.name)")
                XCTAssertEqual(ours.tensor.shape, theirs.tensor.shape, "\(model) \(ours.name)")
                XCTAssertTrue(ours.tensor.contiguousBytes() == theirs.tensor.contiguousBytes(), "\(model) \(ours.name): bytes differ")
            }
        }
    }

    /// A rule that rebuilds other values than PyTorch's is refused by the checksum, naming the tensor.
    func testRecipeChecksumNamesAWrongTensor() throws {
        var recipe = try ZooRecipe("resnet18/recipe.json", in: ModelFixture.directory)
        let index = try XCTUnwrap(recipe.tensors.firstIndex { $0.name == "layer2.0.conv1.weight" })
        recipe.tensors[index].offset = (recipe.tensors[index].offset! + 1) % recipe.period
        XCTAssertThrowsError(try recipe.stateDict(in: ModelFixture.directory)) { error in
            XCTAssertTrue("\(error)".hasPrefix("layer2.0.conv1.weight: rebuilt values have checksum "), "\(error)")
        }
    }

    /// DataParallel checkpoints (`module.conv1.weight`, as zoo.py writes lenet5_dataparallel.pth) load as the
    /// bare model: the prefix is stripped when the state dict is found, so detection and validation see `conv1.weight`.
    func testDataParallelPrefixLoads() throws {
        let fixture = try ModelFixture("lenet5")
        let path = ModelFixture.directory.appendingPathComponent("lenet5_dataparallel.pth").path
        let network = try Network(contentsOf: path, threads: 1)
        XCTAssertEqual(network.architecture.name, "lenet5")
        let input = try fixture.input("photos")
        let reference = try fixture.logits("photos")
        let logits = try network.run(FeatureMap(shape: input.shape, values: input.values))
        XCTAssertLessThanOrEqual(relativeError(logits.values, reference.values), 1e-5)
    }
}
