import PthModels
import PthNumpy
import PthRuntime
import XCTest

/// Inception v3's and GoogLeNet's `transform_input`, which a state dict does not record: built off,
/// the networks must give PyTorch's logits for the same classes built with `transform_input=False`
/// (fixtures from tools/fixtures/transform_input.py); asked of another architecture, it is an error.
final class TransformInputTests: XCTestCase {
    private func checkWithoutTransformInput(_ model: String, detect: Bool) throws {
        let fixture = try ModelFixture(model)
        let network = try Network(contentsOf: fixture.weightsPath, architecture: detect ? nil : model, transformInput: false, threads: 2)
        XCTAssertEqual(network.architecture.name, model)
        XCTAssertEqual(network.architecture.transformInput, false)
        XCTAssertFalse(network.graph.nodes.contains { $0.name == "transform_input" }, "\(model): the re-normalisation is still in the graph")
        for name in fixture.inputs.keys.sorted() {
            let input = try fixture.input(name)
            let reference = try NpyArray(
                contentsOf: ModelFixture.directory.appendingPathComponent("\(model)/logits_\(name)_no_transform_input.npy").path)
            let output = try network.run(FeatureMap(shape: input.shape, values: input.values))
            XCTAssertEqual(output.shape, reference.shape)
            let classes = reference.shape[1]
            for image in 0..<reference.shape[0] {
                let ours = Array(output.values[image * classes..<(image + 1) * classes])
                let theirs = Array(reference.values[image * classes..<(image + 1) * classes])
                XCTAssertLessThanOrEqual(relativeError(ours, theirs), 1e-4, "\(model) \(name)[\(image)]")
                XCTAssertEqual(topIndices(ours, 5), topIndices(theirs, 5), "\(model) \(name)[\(image)] top-5")
                // The setting must matter for these weights, or the comparison would not tell the two apart.
                let withTransform = try fixture.logits(name)
                XCTAssertGreaterThan(
                    relativeError(ours, Array(withTransform.values[image * classes..<(image + 1) * classes])), 1e-2,
                    "\(model) \(name)[\(image)]: on and off give the same logits")
            }
        }
    }

    func testInceptionV3WithoutTransformInputMatchesPyTorch() throws {
        try checkWithoutTransformInput("inception_v3", detect: false)
    }

    func testGoogLeNetDetectedWithoutTransformInputMatchesPyTorch() throws {
        try checkWithoutTransformInput("googlenet", detect: true)
    }

    func testDefaultIsOnAsForPretrainedWeights() throws {
        XCTAssertEqual(Architecture.inceptionV3().transformInput, true)
        XCTAssertEqual(Architecture.googLeNet().transformInput, true)
        XCTAssertEqual(Architecture.inceptionV3().settingTransformInput(false)?.transformInput, false)
        XCTAssertNil(Architecture.resnet50.transformInput)
        XCTAssertNil(Architecture.resnet50.settingTransformInput(false))
    }

    func testOtherArchitecturesRefuseTheSetting() throws {
        let path = try ModelFixture("resnet50").weightsPath
        for architecture in ["resnet50", nil] {
            XCTAssertThrowsError(try Network(contentsOf: path, architecture: architecture, transformInput: false)) { error in
                XCTAssertEqual(
                    "\(error)", "resnet50: has no transform_input setting; only inception_v3 and googlenet re-normalise their input")
            }
        }
    }
}
