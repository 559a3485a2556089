import PthGraph
import XCTest

@testable import PthRuntime

/// Batches split into per-thread groups of images, and single images whose kernels are split over
/// cores (`WorkSplit`), give each image's numbers, taps included.
final class BatchSplitTests: XCTestCase {
    func testGroupsAreConsecutiveAndEven() {
        XCTAssertEqual(ExecutionPlan.split(batch: 8, into: 2), [0..<4, 4..<8])
        XCTAssertEqual(ExecutionPlan.split(batch: 3, into: 2), [0..<2, 2..<3])
        XCTAssertEqual(ExecutionPlan.split(batch: 1, into: 2), [0..<1])
        XCTAssertEqual(ExecutionPlan.split(batch: 5, into: 1), [0..<5])
    }

    func testSplitBatchMatchesOneThreadAndPyTorch() throws {
        var checked = 0
        for fixture in try KernelFixture.all() {
            let graph = try Freezing.freeze(try fixture.graph())
            let input = try KernelFixture.array(fixture.input)
            guard input.shape[0] >= 2 else { continue }
            checked += 1
            let batch = FeatureMap(shape: input.shape, values: input.values)
            let taps = Array(fixture.taps.keys)
            let whole = try ExecutionPlan(graph: graph, threads: 1).run(batch, capturing: taps)
            let split = try ExecutionPlan(graph: graph, threads: input.shape[0]).run(batch, capturing: taps)
            XCTAssertEqual(split.output.shape, whole.output.shape, fixture.name)
            XCTAssertLessThanOrEqual(relativeError(split.output.values, whole.output.values), 1e-6, fixture.name)
            let expected = try KernelFixture.array(fixture.expected)
            XCTAssertLessThanOrEqual(relativeError(split.output.values, expected.values), 1e-5, fixture.name)
            for name in taps {
                let ours = try XCTUnwrap(split.taps[name], "\(fixture.name) tap \(name)")
                XCTAssertEqual(ours.shape, whole.taps[name]?.shape, "\(fixture.name) tap \(name)")
                XCTAssertLessThanOrEqual(relativeError(ours.values, whole.taps[name]!.values), 1e-6, "\(fixture.name) tap \(name)")
            }
        }
        XCTAssertGreaterThan(checked, 10, "fixtures with a batch of two or more")
    }

    func testOneImageSplitOverCoresMatchesOneThreadAndPyTorch() throws {
        var checked = 0
        for fixture in try KernelFixture.all() {
            let graph = try Freezing.freeze(try fixture.graph())
            let input = try KernelFixture.array(fixture.input), expected = try KernelFixture.array(fixture.expected)
            let inPerImage = input.shape.dropFirst().reduce(1, *), outPerImage = expected.shape.dropFirst().reduce(1, *)
            let image = FeatureMap(shape: [1] + input.shape.dropFirst(), values: Array(input.values[0..<inPerImage]))
            let taps = Array(fixture.taps.keys)
            let serial = try ExecutionPlan(graph: graph, threads: 1).run(image, capturing: taps)
            // Three parts on two cores also covers uneven ranges.
            for threads in [2, 3] {
                let plan = try ExecutionPlan(graph: graph, threads: threads)
                plan.splitsSmallWork = true
                let split = try plan.run(image, capturing: taps)
                let label = "\(fixture.name) on \(threads) threads"
                XCTAssertEqual(split.output.shape, serial.output.shape, label)
                XCTAssertLessThanOrEqual(relativeError(split.output.values, serial.output.values), 1e-6, label)
                XCTAssertLessThanOrEqual(relativeError(split.output.values, Array(expected.values[0..<outPerImage])), 1e-5, label)
                for name in taps {
                    let ours = try XCTUnwrap(split.taps[name], "\(label) tap \(name)")
                    XCTAssertLessThanOrEqual(relativeError(ours.values, serial.taps[name]!.values), 1e-6, "\(label) tap \(name)")
                }
            }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 10, "kernel fixtures")
    }
}
