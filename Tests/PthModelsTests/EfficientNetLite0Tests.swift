import Foundation
import PthModels
import PthNumpy
import PthRuntime
import XCTest

/// The real pretrained EfficientNet-Lite0 against its own PyTorch package on two photos
/// (`tools/fixtures/lite0.py`, reference in `fixtures/lite0/`). The 18 MB checkpoint is not in the
/// repository: it is read from `$PTH_LITE0_WEIGHTS`, or the cache `tools/fetch-weights.sh` fills
/// (`$SWIFT_PTH_CACHE`, `$XDG_CACHE_HOME/swift-pth`, `~/.cache/swift-pth`); without it the test skips,
/// saying so. `ZooParityTests.testEfficientNetLite0Synthetic` checks the architecture on every run.
final class EfficientNetLite0Tests: XCTestCase {
    private struct Manifest: Decodable {
        struct Entry: Decodable { let index: Int; let label: String }
        let checkpoint: String
        let input: String
        let photos: [String]
        let top5: [String: [Entry]]
    }

    private static let fixtures = ModelFixture.directory.deletingLastPathComponent()

    private func weightsPath(_ name: String) -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["PTH_LITE0_WEIGHTS"] { return path }
        let cache =
            environment["SWIFT_PTH_CACHE"].map(URL.init(fileURLWithPath:))
            ?? environment["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0).appendingPathComponent("swift-pth") }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/swift-pth")
        let path = cache.appendingPathComponent(name).path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    func testPretrainedWeightsMatchTheirPyTorchModel() throws {
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: Self.fixtures.appendingPathComponent("lite0/manifest.json")))
        guard let path = weightsPath(manifest.checkpoint) else {
            print("note: \(manifest.checkpoint) not found (set PTH_LITE0_WEIGHTS or run tools/fetch-weights.sh); skipping")
            throw XCTSkip("\(manifest.checkpoint) not available")
        }
        // No architecture name: the lukemelas keys must be recognised on their own.
        let network = try Network(contentsOf: path, threads: 2)
        XCTAssertEqual(network.architecture.name, "efficientnet_lite0")
        let input = try NpyArray(contentsOf: Self.fixtures.appendingPathComponent(manifest.input).path)
        let reference = try NpyArray(contentsOf: Self.fixtures.appendingPathComponent("lite0/logits_photos.npy").path)
        let logits = try network.run(FeatureMap(shape: input.shape, values: input.values))
        XCTAssertEqual(logits.shape, reference.shape)
        let classes = reference.shape[1]
        for (image, photo) in manifest.photos.enumerated() {
            let ours = Array(logits.values[image * classes..<(image + 1) * classes])
            let theirs = Array(reference.values[image * classes..<(image + 1) * classes])
            let error = relativeError(ours, theirs)
            print("efficientnet_lite0 pretrained \(photo): rel. L∞ error \(error), top-1 \(manifest.top5[photo]![0].label)")
            XCTAssertLessThanOrEqual(error, 1e-4, photo)
            XCTAssertEqual(topIndices(ours, 5), manifest.top5[photo]!.map(\.index), photo)
        }
        // What the demo promises: a cat class for the cat, espresso for the coffee.
        XCTAssertTrue((281...285).contains(topIndices(Array(logits.values[0..<classes]), 1)[0]))
        XCTAssertEqual(topIndices(Array(logits.values[classes...]), 1), [967])
    }
}
