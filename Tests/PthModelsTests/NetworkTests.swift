import Foundation
import PthModels
import PthRuntime
import XCTest

/// The `Network` facade: input checks, reuse across calls and batch sizes, synthetic weights.
final class NetworkTests: XCTestCase {
    func testRejectsImagesThatAreNotRGB() throws {
        let network = try Network(architecture: .resnet50, graph: Architecture.resnet50.syntheticGraph(), threads: 1)
        XCTAssertThrowsError(try network.run(FeatureMap(shape: [1, 1, 224, 224], values: .init(repeating: 0, count: 224 * 224)))) {
            XCTAssertEqual("\($0)", "input: resnet50 takes [N, 3, H, W] images, given [1, 1, 224, 224]")
        }
        XCTAssertThrowsError(try network.run(FeatureMap(shape: [3, 224, 224], values: .init(repeating: 0, count: 3 * 224 * 224)))) {
            XCTAssertEqual("\($0)", "input: resnet50 takes [N, 3, H, W] images, given [3, 224, 224]")
        }
    }

    func testReusedAcrossCallsAndBatchSizes() throws {
        let fixture = try ModelFixture("efficientnet_b0")
        let network = try Network(contentsOf: fixture.weightsPath, threads: 2)
        XCTAssertEqual(network.architecture.name, "efficientnet_b0")
        let batch = try fixture.input("photos")
        let pair = try network.run(FeatureMap(shape: batch.shape, values: batch.values))
        let again = try network.run(FeatureMap(shape: batch.shape, values: batch.values))
        XCTAssertEqual(pair, again)
        let first = Array(batch.values.prefix(batch.values.count / 2))
        let single = try network.run(FeatureMap(shape: [1] + batch.shape.dropFirst(), values: first))
        XCTAssertEqual(single.shape, [1, 1000])
        XCTAssertLessThanOrEqual(relativeError(single.values, Array(pair.values.prefix(1000))), 1e-6)
    }

    /// `pth bench --profile`'s figures: one time per graph node, zero before timing starts, and
    /// together no more than the runs took.
    func testTimesEachNode() throws {
        let network = try Network(architecture: .resnet50, graph: Architecture.resnet50.syntheticGraph(), threads: 1)
        let input = FeatureMap(shape: [1, 3, 64, 64], values: (0..<(3 * 64 * 64)).map { Float($0 % 17) / 17 })
        _ = try network.run(input)
        XCTAssertEqual(network.nodeMilliseconds(), [Double](repeating: 0, count: network.graph.nodes.count))
        network.startTimingNodes()
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<2 { _ = try network.run(input) }
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / 2
        let times = network.nodeMilliseconds()
        XCTAssertEqual(times.count, network.graph.nodes.count)
        XCTAssertLessThanOrEqual(times.reduce(0, +), wall)
        for (node, time) in zip(network.graph.nodes, times) {
            if case .conv2d = node.op { XCTAssertGreaterThan(time, 0, node.name) }
        }
    }

    /// The network reads its weights in place, so they must not depend on the file: a STORED (torch.save)
    /// checkpoint truncated and rewritten in place while the network lives — what `torch.save` to the same
    /// path does — must neither crash it (a mapped file's pages would SIGBUS) nor change its numbers.
    func testKeepsWorkingWhenItsFileIsRewrittenInPlace() throws {
        let fixture = try ModelFixture("lenet5")
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("lenet5-\(UUID().uuidString).pth")
        try FileManager.default.copyItem(at: ModelFixture.directory.appendingPathComponent("lenet5_stored.pth"), to: copy)
        defer { try? FileManager.default.removeItem(at: copy) }
        let network = try Network(contentsOf: copy.path)
        XCTAssertEqual(network.architecture.name, "lenet5")
        let batch = try fixture.input("random")
        let input = FeatureMap(shape: batch.shape, values: batch.values)
        let before = try network.run(input)

        let file = try FileHandle(forWritingTo: copy)
        try file.truncate(atOffset: 0)
        try file.write(contentsOf: Data(repeating: 0x42, count: 100))
        try file.close()

        let after = try network.run(input)
        XCTAssertEqual(after, before)
        XCTAssertLessThanOrEqual(relativeError(after.values, try fixture.logits("random").values), 1e-4)
    }

    func testSyntheticWeightsGiveHealthyLogits() throws {
        // One member per builder, at 224 or less: VGG's 138M synthetic weights or B7's 600px would only cost time.
        let builders = [
            "resnet18", "resnet50", "inception_v3", "densenet121", "efficientnet_b0", "mobilenet_v2",
            "mobilenet_v3_small", "googlenet", "alexnet", "vgg11_bn", "efficientnet_lite0", "lenet5",
        ]
        for architecture in try builders.map(Architecture.named) {
            let network = try Network(architecture: architecture, graph: architecture.syntheticGraph(classes: 10), threads: 2)
            let side = architecture.inputSize, channels = architecture.inputChannels
            let image = (0..<channels * side * side).map { Float(($0 * 7919) % 255) / 128 - 1 }
            let logits = try network.run(FeatureMap(shape: [1, channels, side, side], values: image))
            XCTAssertEqual(logits.shape, [1, 10], architecture.name)
            XCTAssertTrue(logits.values.allSatisfy(\.isFinite), architecture.name)
            XCTAssertGreaterThan(Set(logits.values).count, 1, architecture.name)
        }
    }
}
