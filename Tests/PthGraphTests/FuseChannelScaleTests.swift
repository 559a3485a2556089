import PthGraph
import XCTest

/// What `FuseChannelScale` moves into a 1×1 conv, and what it leaves alone.
final class FuseChannelScaleTests: XCTestCase {
    private func conv(_ inChannels: Int, _ outChannels: Int, kernel: Int = 1, activation: Activation = .identity) -> Conv2d {
        let weights = (0..<outChannels * inChannels * kernel * kernel).map { Float($0 % 5) - 2 }
        return Conv2d(
            weight: Constant(shape: [outChannels, inChannels, kernel, kernel], values: weights),
            bias: nil, padding: Padding2d((kernel - 1) / 2, (kernel - 1) / 2), activation: activation)
    }

    /// EfficientNet's block after its depthwise conv: the squeeze-excitation gate (pool, two 1×1
    /// convs and their activations), the product, and the 1×1 projection.
    private func block(projection: Conv2d? = nil, tapProduct: Bool = false) -> Graph {
        var graph = Graph()
        let x = graph.add(.input(channels: 4), name: "x")
        let pool = graph.add(.adaptiveAvgPool(.square(1)), [x], name: "se.avgpool")
        let fc1 = graph.add(.conv2d(conv(4, 2)), [pool], name: "se.fc1")
        let silu = graph.add(.activation(.silu), [fc1], name: "se.activation")
        let fc2 = graph.add(.conv2d(conv(2, 4)), [silu], name: "se.fc2")
        let gate = graph.add(.activation(.sigmoid), [fc2], name: "se.scale_activation")
        let product = graph.add(.mul, [x, gate], name: "se")
        graph.output = graph.add(.conv2d(projection ?? conv(4, 3)), [product], name: "project")
        if tapProduct { graph.tap(product, as: "gated") }
        return graph
    }

    func testSqueezeExcitationProductMovesIntoTheProjection() throws {
        let frozen = try Freezing.freeze(block())
        XCTAssertEqual(frozen.nodes.map(\.name), ["x", "se.avgpool", "se.fc1", "se.fc2", "project"])
        guard case .conv2d(let projection) = frozen.nodes[4].op else { return XCTFail("expected a conv, got \(frozen.nodes[4].op)") }
        XCTAssertTrue(projection.scalesInputChannels)
        XCTAssertEqual(frozen.nodes[4].inputs, [ValueID(0), ValueID(3)], "the product's feature map, then its gate")
        XCTAssertEqual(frozen.output, ValueID(4))
        XCTAssertEqual(try frozen.shapes(forInput: [2, 4, 5, 3])[4], [2, 3, 5, 3])
    }

    func testProductStaysWhenTappedOrReadByAConvThatIsNotPointwise() throws {
        for graph in [block(tapProduct: true), block(projection: conv(4, 3, kernel: 3))] {
            let frozen = try Freezing.freeze(graph)
            XCTAssertTrue(frozen.nodes.contains { $0.op == .mul }, "\(frozen.nodes.map(\.name))")
            XCTAssertFalse(frozen.nodes.contains { if case .conv2d(let c) = $0.op { c.scalesInputChannels } else { false } })
        }
    }

    /// A product of two full feature maps is elementwise: no per-channel factor to move.
    func testElementwiseProductStays() throws {
        var graph = Graph()
        let x = graph.add(.input(channels: 4), name: "x")
        let gate = graph.add(.activation(.sigmoid), [x], name: "gate")
        let product = graph.add(.mul, [x, gate], name: "product")
        graph.output = graph.add(.conv2d(conv(4, 3)), [product], name: "project")
        XCTAssertEqual(try FuseChannelScale().apply(to: graph), graph)
    }

    func testShapeInferenceNamesABadChannelScale() throws {
        var graph = Graph()
        let x = graph.add(.input(channels: 4), name: "x")
        var projection = conv(4, 3)
        projection.scalesInputChannels = true
        graph.output = graph.add(.conv2d(projection), [x, x], name: "project")
        XCTAssertThrowsError(try graph.shapes(forInput: [1, 4, 5, 5])) { error in
            XCTAssertEqual("\(error)", "project: conv input channel scale must be [1, 4, 1, 1], given [1, 4, 5, 5]")
        }
    }
}
