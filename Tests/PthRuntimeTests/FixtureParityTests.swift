import PthGraph
import PthNumpy
import PthRuntime
import XCTest

/// Every kernel fixture, frozen and run, against PyTorch's numbers.
final class FixtureParityTests: XCTestCase {
    func testEveryCaseMatchesPyTorch() throws {
        let cases = try KernelFixture.all()
        XCTAssertGreaterThan(cases.count, 40)
        for fixture in cases {
            let frozen = try Freezing.freeze(try fixture.graph())
            let plan = try ExecutionPlan(graph: frozen, threads: 2)
            let input = try KernelFixture.array(fixture.input)
            let expected = try KernelFixture.array(fixture.expected)
            let result = try plan.run(FeatureMap(shape: input.shape, values: input.values), capturing: Array(fixture.taps.keys))
            XCTAssertEqual(result.output.shape, expected.shape, fixture.name)
            let error = relativeError(result.output.values, expected.values)
            XCTAssertLessThanOrEqual(error, 1e-5, "\(fixture.name): rel. L∞ error \(error)")
            for (name, tap) in fixture.taps {
                let reference = try KernelFixture.array(tap.expected)
                let ours = try XCTUnwrap(result.taps[name], "\(fixture.name): tap \(name) missing")
                XCTAssertEqual(ours.shape, reference.shape, "\(fixture.name) tap \(name)")
                let tapError = relativeError(ours.values, reference.values)
                XCTAssertLessThanOrEqual(tapError, 1e-5, "\(fixture.name) tap \(name): rel. L∞ error \(tapError)")
            }
        }
    }

    /// Each image of a batch gives what it gives alone (up to rounding: the batch's small pointwise
    /// convs are one wider GEMM, for which OpenBLAS may sum in another order), a plan survives
    /// changing input shapes, and running the same input again gives the same bits.
    func testBatchImagesAreIndependentAndShapesCanChange() throws {
        let fixture = try XCTUnwrap(try KernelFixture.all().first { $0.name == "tiny_network" })
        let plan = try ExecutionPlan(graph: try Freezing.freeze(try fixture.graph()), threads: 1)
        let input = try KernelFixture.array(fixture.input)
        let batch = try plan.run(FeatureMap(shape: input.shape, values: input.values)).output
        let perImage = input.values.count / input.shape[0]
        let classes = batch.values.count / input.shape[0]
        for n in 0..<input.shape[0] {
            let one = Array(input.values[n * perImage..<(n + 1) * perImage])
            let single = try plan.run(FeatureMap(shape: [1] + input.shape.dropFirst(), values: one)).output
            XCTAssertLessThanOrEqual(
                relativeError(single.values, Array(batch.values[n * classes..<(n + 1) * classes])), 1e-6,
                "image \(n)")
        }
        let again = try plan.run(FeatureMap(shape: input.shape, values: input.values)).output
        XCTAssertEqual(again.values, batch.values)
    }
}
