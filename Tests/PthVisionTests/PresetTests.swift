import PthVision
import XCTest

/// The preset table generated from torchvision and the ImageNet class names.
final class PresetTests: XCTestCase {
    func testIssuePresets() throws {
        let expected: [(String, Int, Int, Interpolation)] = [
            ("resnet50", 256, 224, .bilinear), ("densenet121", 256, 224, .bilinear),
            ("inception_v3", 342, 299, .bilinear), ("efficientnet_b0", 256, 224, .bicubic),
            ("efficientnet_b3", 320, 300, .bicubic), ("vgg16", 256, 224, .bilinear),
        ]
        for (model, resize, crop, interpolation) in expected {
            let preset = try XCTUnwrap(PreprocessingPreset.named(model), model)
            XCTAssertEqual(preset.resize, .shortSide(resize), model)
            XCTAssertEqual(preset.cropSize, crop, model)
            XCTAssertEqual(preset.interpolation, interpolation, model)
            XCTAssertEqual(preset.mean, [0.485, 0.456, 0.406])
            XCTAssertEqual(preset.std, [0.229, 0.224, 0.225])
        }
    }

    func testLookupByWeightsAndCheckpointFileName() throws {
        XCTAssertEqual(PreprocessingPreset.named("resnet50")?.weights, "IMAGENET1K_V1")
        XCTAssertEqual(PreprocessingPreset.named("resnet50.IMAGENET1K_V2")?.resize, .shortSide(232))
        XCTAssertEqual(PreprocessingPreset.named("/models/resnet50-11ad3fa6.pth")?.weights, "IMAGENET1K_V2")
        XCTAssertNil(PreprocessingPreset.named("resnet51"))
        XCTAssertTrue(PreprocessingPreset.modelNames.contains("mobilenet_v3_large"))
    }

    func testImageNetClassNames() {
        XCTAssertEqual(ImageNetClasses.names.count, 1000)
        XCTAssertEqual(ImageNetClasses.names[0], "tench")
        XCTAssertEqual(ImageNetClasses.names[281], "tabby")
        XCTAssertEqual(ImageNetClasses.names[967], "espresso")
    }
}
