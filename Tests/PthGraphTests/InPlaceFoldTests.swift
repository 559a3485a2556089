import PthGraph
import XCTest

/// Freezing a graph handed over by its only owner scales the weights where they lie; a graph
/// someone else still holds is left untouched.
final class InPlaceFoldTests: XCTestCase {
    private func convBatchNormGraph() -> Graph {
        var graph = Graph()
        let x = graph.add(.input(channels: 4), name: "x")
        let weights = Constant(shape: [8, 4, 3, 3], values: (0..<288).map { Float($0 % 11) - 5 })
        let c = graph.add(.conv2d(Conv2d(weight: weights, bias: nil, padding: Padding2d(1, 1))), [x], name: "conv")
        let ones = Constant(shape: [8], values: Array(repeating: 1, count: 8))
        let b = graph.add(.batchNorm(BatchNorm(weight: Constant(shape: [8], values: Array(repeating: 2, count: 8)),
                                               bias: ones, runningMean: ones, runningVar: ones, eps: 0)), [c], name: "bn")
        graph.output = b
        return graph
    }

    private func weightAddress(_ graph: Graph, node: Int) -> UnsafeRawPointer? {
        guard case .conv2d(let conv) = graph.nodes[node].op else { return nil }
        return conv.weight.values.withUnsafeBytes { $0.baseAddress }
    }

    func testUniquelyHeldWeightsAreFoldedWithoutACopy() throws {
        let graph = convBatchNormGraph()
        let before = try XCTUnwrap(weightAddress(graph, node: 1))
        let frozen = try Freezing.freeze(consume graph)
        XCTAssertEqual(weightAddress(frozen, node: 1), before)
        guard case .conv2d(let folded) = frozen.nodes[1].op else { return XCTFail("expected the folded conv") }
        // scale = 2 / √1: every weight doubled, bias = 1 − 1·2.
        XCTAssertEqual(Array(folded.weight.values.prefix(12)), (0..<12).map { 2 * (Float($0 % 11) - 5) })
        XCTAssertEqual(folded.bias?.values, Array(repeating: -1, count: 8))
    }

    func testSharedWeightsAreCopiedNotChanged() throws {
        let graph = convBatchNormGraph()
        let frozen = try Freezing.freeze(graph)
        XCTAssertNotEqual(weightAddress(frozen, node: 1), weightAddress(graph, node: 1))
        guard case .conv2d(let original) = graph.nodes[1].op else { return XCTFail("expected the original conv") }
        XCTAssertEqual(Array(original.weight.values.prefix(12)), (0..<12).map { Float($0 % 11) - 5 })
    }
}
