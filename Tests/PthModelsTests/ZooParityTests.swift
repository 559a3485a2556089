import Foundation
import PthCheckpoint
import PthModels
import PthRuntime
import XCTest

/// The classification zoo against PyTorch, by the method of `ParityTests`. The small and medium
/// networks run in every `swift test` from `fixtures/models/`. The big ones (VGG, AlexNet, ResNet101/152,
/// ResNeXt, wide ResNet, DenseNet161/201, EfficientNet-B1…B7 at their own preset resolutions, 240…600) have
/// fixtures too large to commit; they run with
///
///     PTH_FULL_ZOO=1 ~/venvs/torch/bin/python tools/make_fixtures.py zoo
///     PTH_FULL_ZOO=1 swift test --filter ZooParityTests
///
/// and are skipped, saying so, otherwise.
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

    func testResNet101() throws { try checkFullZoo("resnet101") }
    func testResNet152() throws { try checkFullZoo("resnet152") }
    func testResNeXt50() throws { try checkFullZoo("resnext50_32x4d") }
    func testResNeXt101() throws { try checkFullZoo("resnext101_32x8d") }
    func testWideResNet50() throws { try checkFullZoo("wide_resnet50_2") }
    func testDenseNet161() throws { try checkFullZoo("densenet161") }
    func testDenseNet201() throws { try checkFullZoo("densenet201") }
    func testAlexNet() throws { try checkFullZoo("alexnet") }
    func testVGG11() throws { try checkFullZoo("vgg11") }
    func testVGG11BN() throws { try checkFullZoo("vgg11_bn") }
    func testVGG13() throws { try checkFullZoo("vgg13") }
    func testVGG13BN() throws { try checkFullZoo("vgg13_bn") }
    func testVGG16() throws { try checkFullZoo("vgg16") }
    func testVGG16BN() throws { try checkFullZoo("vgg16_bn") }
    func testVGG19() throws { try checkFullZoo("vgg19") }
    func testVGG19BN() throws { try checkFullZoo("vgg19_bn") }
    /// At 240, its own preset's crop (the CI fixture above runs it at 224).
    func testEfficientNetB1OwnResolution() throws { try checkFullZoo("efficientnet_b1") }
    func testEfficientNetB2() throws { try checkFullZoo("efficientnet_b2") }
    func testEfficientNetB3() throws { try checkFullZoo("efficientnet_b3") }
    func testEfficientNetB4() throws { try checkFullZoo("efficientnet_b4") }
    func testEfficientNetB5() throws { try checkFullZoo("efficientnet_b5") }
    func testEfficientNetB6() throws { try checkFullZoo("efficientnet_b6") }
    func testEfficientNetB7() throws { try checkFullZoo("efficientnet_b7") }

    /// Parity on a full-zoo fixture when `PTH_FULL_ZOO` is set (a missing fixture then fails), skipped otherwise.
    private func checkFullZoo(_ model: String, file: StaticString = #filePath, line: UInt = #line) throws {
        guard ProcessInfo.processInfo.environment["PTH_FULL_ZOO"] != nil else {
            throw XCTSkip("\(model): big network, run with PTH_FULL_ZOO=1 after generating its fixture (see ZooParityTests)")
        }
        try checkParity(ModelFixture(model, in: ModelFixture.fullZooDirectory), file: file, line: line)
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
