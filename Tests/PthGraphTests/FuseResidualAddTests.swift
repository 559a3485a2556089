import PthGraph
import XCTest

/// What `FuseResidualAdd` moves into a 1×1 conv, and what it leaves alone.
final class FuseResidualAddTests: XCTestCase {
    private func conv(_ inChannels: Int, _ outChannels: Int, kernel: Int = 1, stride: Int = 1, activation: Activation = .identity) -> Conv2d {
        let weights = (0..<outChannels * inChannels * kernel * kernel).map { Float($0 % 5) - 2 }
        return Conv2d(
            weight: Constant(shape: [outChannels, inChannels, kernel, kernel], values: weights),
            bias: nil, stride: .square(stride), padding: Padding2d((kernel - 1) / 2, (kernel - 1) / 2), activation: activation)
    }

    /// ResNet's bottleneck end: `relu(conv3(y) + x)`, the block's output tapped.
    private func block(last: Conv2d? = nil, tapConv: Bool = false) -> Graph {
        var graph = Graph()
        let x = graph.add(.input(channels: 4), name: "x")
        let inner = graph.add(.conv2d(conv(4, 2, kernel: 3, activation: .relu)), [x], name: "conv2")
        let projection = graph.add(.conv2d(last ?? conv(2, 4)), [inner], name: "conv3")
        let sum = graph.add(.add(.identity), [projection, x], name: "add")
        graph.output = graph.add(.activation(.relu), [sum], name: "relu")
        graph.tap(graph.output!, as: "layer1")
        if tapConv { graph.tap(projection, as: "conv3") }
        return graph
    }

    func testAddAndItsActivationMoveIntoTheConvBeforeIt() throws {
        let frozen = try Freezing.freeze(block())
        XCTAssertEqual(frozen.nodes.map(\.name), ["x", "conv2", "conv3"])
        guard case .conv2d(let projection) = frozen.nodes[2].op else { return XCTFail("expected a conv, got \(frozen.nodes[2].op)") }
        XCTAssertTrue(projection.addsResidual)
        XCTAssertEqual(projection.activation, .relu)
        XCTAssertEqual(frozen.nodes[2].inputs, [ValueID(1), ValueID(0)], "the conv's input, then the residual")
        XCTAssertEqual(frozen.output, ValueID(2))
        XCTAssertEqual(frozen.taps["layer1"], ValueID(2))
        XCTAssertEqual(try frozen.shapes(forInput: [2, 4, 5, 3])[2], [2, 4, 5, 3])
    }

    /// A downsampling block adds two convs' outputs; the shortcut's conv runs after the main branch,
    /// so it takes the add and reads the main branch's output as its residual.
    func testTheLaterOfTwoConvsTakesTheAdd() throws {
        var graph = Graph()
        let x = graph.add(.input(channels: 4), name: "x")
        let main = graph.add(.conv2d(conv(4, 8, stride: 2)), [x], name: "conv3")
        let shortcut = graph.add(.conv2d(conv(4, 8, stride: 2)), [x], name: "downsample")
        graph.output = graph.add(.add(.relu), [main, shortcut], name: "add")
        let frozen = try FuseResidualAdd().apply(to: graph)
        XCTAssertEqual(frozen.nodes.map(\.name), ["x", "conv3", "downsample"])
        guard case .conv2d(let host) = frozen.nodes[2].op else { return XCTFail("expected a conv") }
        XCTAssertTrue(host.addsResidual)
        XCTAssertEqual(frozen.nodes[2].inputs, [ValueID(0), ValueID(1)])
        XCTAssertEqual(try frozen.shapes(forInput: [1, 4, 6, 6])[2], [1, 8, 3, 3])
    }

    func testAddStaysWhenTheConvIsTappedNotOneByOneOrHasAnActivation() throws {
        for graph in [block(tapConv: true), block(last: conv(2, 4, kernel: 3)), block(last: conv(2, 4, activation: .silu))] {
            let frozen = try Freezing.freeze(graph)
            XCTAssertTrue(frozen.nodes.contains { if case .add = $0.op { true } else { false } }, "\(frozen.nodes.map(\.name))")
            XCTAssertFalse(frozen.nodes.contains { if case .conv2d(let c) = $0.op { c.addsResidual } else { false } })
        }
    }

    /// The other input must exist when the conv runs: not fused when it is computed after the conv.
    func testAddStaysWhenTheResidualComesAfterTheConv() throws {
        var graph = Graph()
        let x = graph.add(.input(channels: 4), name: "x")
        let projection = graph.add(.conv2d(conv(4, 4)), [x], name: "conv")
        let later = graph.add(.activation(.relu), [x], name: "later")
        graph.output = graph.add(.add(.identity), [projection, later], name: "add")
        XCTAssertEqual(try FuseResidualAdd().apply(to: graph), graph)
    }

    func testShapeInferenceNamesABadResidual() throws {
        var graph = Graph()
        let x = graph.add(.input(channels: 4), name: "x")
        var projection = conv(4, 3)
        projection.addsResidual = true
        graph.output = graph.add(.conv2d(projection), [x, x], name: "project")
        XCTAssertThrowsError(try graph.shapes(forInput: [1, 4, 5, 5])) { error in
            XCTAssertEqual("\(error)", "project: conv residual must be its output's shape [1, 3, 5, 5], given [1, 4, 5, 5]")
        }
    }
}
