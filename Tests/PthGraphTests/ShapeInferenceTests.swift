import PthGraph
import XCTest

final class ShapeInferenceTests: XCTestCase {
    func testPoolCeilModeDropsAWindowStartingInTheRightPadding() {
        // PyTorch: MaxPool2d(2, 2, padding=1, ceil_mode=True) on 5 → 3, not 4.
        XCTAssertEqual(WindowArithmetic.poolOutput(input: 5, kernel: 2, stride: 2, padBefore: 1, padAfter: 1, ceilMode: true), 3)
        XCTAssertEqual(WindowArithmetic.poolOutput(input: 10, kernel: 3, stride: 2, padBefore: 0, padAfter: 0, ceilMode: true), 5)
        XCTAssertEqual(WindowArithmetic.poolOutput(input: 10, kernel: 3, stride: 2, padBefore: 0, padAfter: 0, ceilMode: false), 4)
        // ResNet stem: 112 → 56 with 3×3/2 padding 1.
        XCTAssertEqual(WindowArithmetic.poolOutput(input: 112, kernel: 3, stride: 2, padBefore: 1, padAfter: 1, ceilMode: false), 56)
    }

    func testShapesThroughAConvAndAConcat() throws {
        var graph = Graph()
        let x = graph.add(.input(channels: 3), name: "x")
        let weight = Constant(shape: [8, 3, 7, 7], values: Array(repeating: 0, count: 8 * 3 * 49))
        let c = graph.add(.conv2d(Conv2d(weight: weight, bias: nil, stride: .square(2), padding: Padding2d(3, 3))), [x], name: "conv1")
        let p = graph.add(.maxPool(Pool2d(kernel: .square(3), stride: .square(2), padding: Padding2d(1, 1))), [c], name: "maxpool")
        let cat = graph.add(.concat, [p, p], name: "cat")
        graph.output = graph.add(.flatten, [graph.add(.adaptiveAvgPool(.square(1)), [cat], name: "avgpool")], name: "flatten")
        let shapes = try graph.shapes(forInput: [2, 3, 224, 224])
        XCTAssertEqual(shapes, [[2, 3, 224, 224], [2, 8, 112, 112], [2, 8, 56, 56], [2, 16, 56, 56], [2, 16, 1, 1], [2, 16]])
    }

    func testWrongInputChannelsNameTheNode() {
        var graph = Graph()
        graph.output = graph.add(.input(channels: 3), name: "x")
        XCTAssertThrowsError(try graph.shapes(forInput: [1, 4, 8, 8])) { error in
            XCTAssertEqual("\(error)", "x: input must be [N, 3, H, W] with N, H, W ≥ 1, given [1, 4, 8, 8]")
        }
    }
}
