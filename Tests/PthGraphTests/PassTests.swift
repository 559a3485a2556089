import PthGraph
import XCTest

/// Structural checks of the freezing passes: what gets folded, fused or dropped, and where taps go.
final class PassTests: XCTestCase {
    private func conv(_ inChannels: Int, _ outChannels: Int, bias: Bool = false) -> Conv2d {
        let weights = (0..<outChannels * inChannels * 9).map { Float($0 % 7) - 3 }
        return Conv2d(
            weight: Constant(shape: [outChannels, inChannels, 3, 3], values: weights),
            bias: bias ? Constant(shape: [outChannels], values: (0..<outChannels).map(Float.init)) : nil,
            padding: Padding2d(1, 1))
    }

    private func batchNorm(_ channels: Int) -> BatchNorm {
        BatchNorm(
            weight: Constant(shape: [channels], values: (0..<channels).map { 1 + Float($0) / 4 }),
            bias: Constant(shape: [channels], values: (0..<channels).map { Float($0) / 8 }),
            runningMean: Constant(shape: [channels], values: (0..<channels).map { Float($0) / 3 - 0.5 }),
            runningVar: Constant(shape: [channels], values: (0..<channels).map { 0.5 + Float($0) }),
            eps: 1e-3)
    }

    func testFreezeFoldsBatchNormAndFusesReluMovingTheTap() throws {
        var graph = Graph()
        let x = graph.add(.input(channels: 2), name: "x")
        let c = graph.add(.conv2d(conv(2, 3, bias: true)), [x], name: "conv1")
        let b = graph.add(.batchNorm(batchNorm(3)), [c], name: "bn1")
        let r = graph.add(.activation(.relu), [b], name: "relu")
        let d = graph.add(.dropout, [r], name: "drop")
        graph.output = d
        graph.tap(r, as: "stage")

        let frozen = try Freezing.freeze(graph)
        XCTAssertEqual(frozen.nodes.count, 2)
        guard case .conv2d(let folded) = frozen.nodes[1].op else { return XCTFail("expected a conv, got \(frozen.nodes[1].op)") }
        XCTAssertEqual(folded.activation, .relu)
        XCTAssertEqual(frozen.taps["stage"], ValueID(1))
        XCTAssertEqual(frozen.output, ValueID(1))
        // Output channel 2: scale = γ / √(var + eps), bias' = (b − mean)·scale + β; the weights are untouched.
        let scale = Double(1.5) / (2.5 + 1e-3).squareRoot()
        XCTAssertEqual(Double(folded.bias!.values[2]), (2 - (2.0 / 3 - 0.5)) * scale + 0.25, accuracy: 1e-6)
        XCTAssertEqual(Double(try XCTUnwrap(folded.outputScale).values[2]), scale, accuracy: 1e-6)
        XCTAssertEqual(folded.weight.values, conv(2, 3).weight.values)
    }

    func testBatchNormAfterTappedConvBecomesChannelAffine() throws {
        var graph = Graph()
        let x = graph.add(.input(channels: 2), name: "x")
        let c = graph.add(.conv2d(conv(2, 3)), [x], name: "conv1")
        let b = graph.add(.batchNorm(batchNorm(3)), [c], name: "bn1")
        graph.output = b
        graph.tap(c, as: "raw")
        let frozen = try FoldBatchNorm().apply(to: graph)
        XCTAssertEqual(frozen.nodes.count, 3)
        guard case .channelAffine(let scale, let shift, _) = frozen.nodes[2].op else { return XCTFail("expected channelAffine") }
        XCTAssertEqual(scale.count, 3)
        XCTAssertEqual(Double(shift[0]), 0 - (-0.5) * (1 / (0.5 + 1e-3).squareRoot()), accuracy: 1e-6)
        XCTAssertEqual(frozen.taps["raw"], ValueID(1))
    }

    func testActivationIsNotFusedIntoAConvWithTwoConsumers() throws {
        var graph = Graph()
        let x = graph.add(.input(channels: 2), name: "x")
        let c = graph.add(.conv2d(conv(2, 2)), [x], name: "conv")
        let r = graph.add(.activation(.silu), [c], name: "silu")
        graph.output = graph.add(.add(.identity), [c, r], name: "sum")
        let frozen = try Freezing.freeze(graph)
        XCTAssertEqual(frozen, graph)
    }

    /// ResNet's residual add + ReLU and DenseNet's unfoldable BatchNorm + ReLU each become one node.
    func testReluFusesIntoResidualAddAndIntoUnfoldedBatchNorm() throws {
        var graph = Graph()
        let x = graph.add(.input(channels: 2), name: "x")
        let c = graph.add(.conv2d(conv(2, 2)), [x], name: "conv")
        let sum = graph.add(.add(.identity), [c, x], name: "sum")
        let r1 = graph.add(.activation(.relu), [sum], name: "relu1")
        let bn = graph.add(.batchNorm(batchNorm(2)), [r1], name: "norm")
        let r2 = graph.add(.activation(.relu), [bn], name: "relu2")
        graph.output = r2
        graph.tap(r1, as: "block")
        let frozen = try Freezing.freeze(graph)
        XCTAssertEqual(frozen.nodes.map(\.name), ["x", "conv", "sum", "norm"])
        XCTAssertEqual(frozen.nodes[2].op, .add(.relu))
        guard case .channelAffine(_, _, let activation) = frozen.nodes[3].op else {
            return XCTFail("expected a channel affine, got \(frozen.nodes[3].op)")
        }
        XCTAssertEqual(activation, .relu)
        XCTAssertEqual(frozen.taps["block"], ValueID(2), "the tap on the ReLU moves to the add that now computes it")
    }

    func testBatchNormWithWrongChannelCountIsRejectedByName() throws {
        var graph = Graph()
        let x = graph.add(.input(channels: 2), name: "x")
        let c = graph.add(.conv2d(conv(2, 3)), [x], name: "conv1")
        graph.output = graph.add(.batchNorm(batchNorm(4)), [c], name: "layer1.0.bn1")
        XCTAssertThrowsError(try Freezing.freeze(graph)) { error in
            XCTAssertEqual("\(error)", "layer1.0.bn1: batchNorm has 4 channels, the conv before it has 3")
        }
    }
}
