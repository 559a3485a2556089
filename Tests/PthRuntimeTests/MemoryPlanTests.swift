import PthGraph
import XCTest

@testable import PthRuntime

/// The memory plan places concat inputs in their slice of the output and reuses dead buffers.
final class MemoryPlanTests: XCTestCase {
    func testConcatsCopyNothingAndBuffersAreReused() throws {
        let fixture = try XCTUnwrap(try KernelFixture.all().first { $0.name == "tiny_network" })
        let graph = try Freezing.freeze(try fixture.graph())
        let inputShape = [2, 3, 33, 29]
        let memory = try MemoryPlan(graph: graph, inputShape: inputShape)

        // Every concat (DenseNet-style prefixes, the nested Inception-style one) is filled in place.
        let concats = graph.nodes.indices.filter { if case .concat = graph.nodes[$0].op { return true } else { return false } }
        XCTAssertEqual(concats.count, 6)
        for index in concats {
            XCTAssertEqual(memory.concatCopies[index]?.contains(true), false, "\(graph.nodes[index].name) copies an input")
        }
        // Each DenseNet-style layer input is a prefix of the block output.
        let block = try XCTUnwrap(graph.taps["block"]).index
        for index in concats where index < block {
            XCTAssertEqual(memory.offsets[index], memory.offsets[block], graph.nodes[index].name)
            XCTAssertEqual(memory.strides[index], memory.strides[block], graph.nodes[index].name)
        }
        let total = memory.shapes.reduce(0) { $0 + $1.reduce(1, *) }
        XCTAssertLessThan(memory.arenaCount, total / 2, "arena \(memory.arenaCount) floats for \(total) floats of values")
    }

    func testAValueUsedByTwoConcatsIsCopiedIntoOne() throws {
        var graph = Graph()
        let x = graph.add(.input(channels: 2), name: "x")
        let a = graph.add(.activation(.relu), [x], name: "a")
        let b = graph.add(.activation(.sigmoid), [x], name: "b")
        let first = graph.add(.concat, [a, b], name: "first")
        let second = graph.add(.concat, [b, a], name: "second")
        graph.output = graph.add(.add(.identity), [first, second], name: "sum")
        let memory = try MemoryPlan(graph: graph, inputShape: [1, 2, 3, 3])
        XCTAssertEqual(memory.concatCopies[second.index], [false, false])
        XCTAssertEqual(memory.concatCopies[first.index], [true, true])

        let plan = try ExecutionPlan(graph: graph, threads: 1)
        let input: [Float] = (0..<18).map { Float($0) / 3 - 3 }
        let output = try plan.run(FeatureMap(shape: [1, 2, 3, 3], values: input)).output
        let relu = input.map { max($0, 0) }, sigmoid = input.map { 1 / (1 + expf(-$0)) }
        let expected = zip(relu + sigmoid, sigmoid + relu).map { $0 + $1 }
        XCTAssertEqual(output.shape, [1, 4, 3, 3])
        XCTAssertLessThanOrEqual(relativeError(output.values, expected), 1e-6)
    }
}
