import Foundation
import PthFoundation
import XCTest

@testable import PthGraph

/// Folding a BatchNorm leaves the conv's weights where they lie (borrowed memory stays borrowed, nothing
/// is copied) and moves the BatchNorm into the conv's output scale and bias.
final class InPlaceFoldTests: XCTestCase {
    private let weights = (0..<288).map { Float($0 % 11) - 5 }

    private func convBatchNormGraph(weight: Constant) -> Graph {
        var graph = Graph()
        let x = graph.add(.input(channels: 4), name: "x")
        let c = graph.add(.conv2d(Conv2d(weight: weight, bias: nil, padding: Padding2d(1, 1))), [x], name: "conv")
        let ones = Constant(shape: [8], values: Array(repeating: 1, count: 8))
        let b = graph.add(
            .batchNorm(
                BatchNorm(
                    weight: Constant(shape: [8], values: Array(repeating: 2, count: 8)),
                    bias: ones, runningMean: ones, runningVar: ones, eps: 0)), [c], name: "bn")
        graph.output = b
        return graph
    }

    func testBorrowedWeightsStayBorrowedAndTheBatchNormBecomesScaleAndBias() throws {
        try weights.withUnsafeBytes { bytes in
            let memory = OwnedMemory(copying: bytes)
            let frozen = try Freezing.freeze(convBatchNormGraph(weight: Constant(shape: [8, 4, 3, 3], borrowing: memory)))
            guard case .conv2d(let folded) = frozen.nodes[1].op else { return XCTFail("expected the folded conv") }
            XCTAssertTrue(folded.weight.borrowed === memory, "the weights must still be read from the borrowed memory")
            XCTAssertEqual(folded.weight.values, weights)
            // scale = 2 / √1, bias = 1 − 1·2.
            XCTAssertEqual(folded.outputScale?.values, Array(repeating: 2, count: 8))
            XCTAssertEqual(folded.bias?.values, Array(repeating: -1, count: 8))
            XCTAssertEqual(frozen.nodes.count, 2, "the BatchNorm node is gone")
        }
    }

    func testTwoBatchNormsInARowComposeIntoOneScale() throws {
        var graph = convBatchNormGraph(weight: Constant(shape: [8, 4, 3, 3], values: weights))
        // As if an earlier fold had made the conv compute 3·(w ⋆ x) + 1; the graph's BatchNorm folds on top of it.
        guard case .conv2d(var conv) = graph.nodes[1].op else { return XCTFail("expected the conv") }
        conv.outputScale = Constant(shape: [8], values: Array(repeating: 3, count: 8))
        conv.bias = Constant(shape: [8], values: Array(repeating: 1, count: 8))
        graph.nodes[1].op = .conv2d(conv)
        let frozen = try Freezing.freeze(graph)
        guard case .conv2d(let folded) = frozen.nodes[1].op else { return XCTFail("expected the folded conv") }
        // BatchNorm scale 2, shift 1 − 1·2 = −1: output scale 3·2 = 6, bias 1·2 − 1 = 1.
        XCTAssertEqual(folded.outputScale?.values, Array(repeating: 6, count: 8))
        XCTAssertEqual(folded.bias?.values, Array(repeating: 1, count: 8))
        XCTAssertEqual(folded.weight.values, weights)
    }
}
