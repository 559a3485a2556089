import PthGraph
import XCTest

/// What `FuseInputAffine` moves into a 1×1 conv, and what it leaves alone.
final class FuseInputAffineTests: XCTestCase {
    private func conv(_ inChannels: Int, _ outChannels: Int, kernel: Int = 1) -> Conv2d {
        let weights = (0..<outChannels * inChannels * kernel * kernel).map { Float($0 % 5) - 2 }
        return Conv2d(
            weight: Constant(shape: [outChannels, inChannels, kernel, kernel], values: weights),
            bias: nil, padding: Padding2d((kernel - 1) / 2, (kernel - 1) / 2))
    }

    /// DenseNet's dense layer opening: `conv1(relu1(norm1(x)))`, `norm1` with no conv before it.
    private func layer(
        activation: Activation = .relu, first: Conv2d? = nil, secondReader: Bool = false, tapMap: Bool = false
    ) -> Graph {
        var graph = Graph()
        let x = graph.add(.input(channels: 3), name: "x")
        let map = graph.add(.channelAffine(scale: [0.5, -1, 2], shift: [0.25, 0, -1], activation: activation), [x], name: "norm1")
        graph.output = graph.add(.conv2d(first ?? conv(3, 4)), [map], name: "conv1")
        if secondReader { graph.output = graph.add(.add(.identity), [map, map], name: "twice") }
        if tapMap { graph.tap(map, as: "norm1") }
        return graph
    }

    func testAffineAndReLUMoveIntoThePointwiseConvAfterThem() throws {
        for activation in [Activation.relu, .identity] {
            let frozen = try FuseInputAffine().apply(to: layer(activation: activation))
            XCTAssertEqual(frozen.nodes.map(\.name), ["x", "conv1"])
            guard case .conv2d(let conv1) = frozen.nodes[1].op else { return XCTFail("expected a conv, got \(frozen.nodes[1].op)") }
            XCTAssertEqual(conv1.inputAffine, Conv2d.InputAffine(scale: [0.5, -1, 2], shift: [0.25, 0, -1], activation: activation))
            XCTAssertEqual(frozen.nodes[1].inputs, [ValueID(0)], "the conv reads the map's input")
            XCTAssertEqual(frozen.output, ValueID(1))
            XCTAssertEqual(try frozen.shapes(forInput: [2, 3, 5, 4])[1], [2, 4, 5, 4])
        }
    }

    func testTheFreezingPipelineFusesIt() throws {
        let frozen = try Freezing.freeze(layer())
        XCTAssertFalse(frozen.nodes.contains { if case .channelAffine = $0.op { true } else { false } })
    }

    func testMapStaysWhenReadTwiceTappedNotPointwiseOrNotReLU() throws {
        for graph in [
            layer(secondReader: true), layer(tapMap: true), layer(first: conv(3, 4, kernel: 3)), layer(activation: .relu6),
        ] {
            let frozen = try FuseInputAffine().apply(to: graph)
            XCTAssertTrue(frozen.nodes.contains { if case .channelAffine = $0.op { true } else { false } }, "\(frozen.nodes.map(\.name))")
            XCTAssertFalse(frozen.nodes.contains { if case .conv2d(let c) = $0.op { c.inputAffine != nil } else { false } })
        }
    }

    func testShapeInferenceRejectsAnAffineOfTheWrongSize() {
        var graph = Graph()
        let x = graph.add(.input(channels: 3), name: "x")
        var bad = conv(3, 4)
        bad.inputAffine = Conv2d.InputAffine(scale: [1, 2], shift: [0, 0], activation: .relu)
        graph.output = graph.add(.conv2d(bad), [x], name: "conv1")
        XCTAssertThrowsError(try graph.shapes(forInput: [1, 3, 4, 4])) { error in
            XCTAssertTrue("\(error)".contains("input affine has 2 scales"), "\(error)")
        }
    }
}
