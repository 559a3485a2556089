import PthModels
import PthNumpy
import PthRuntime
import XCTest

/// How far a network's logits may be from PyTorch's reference, and two runs of our own from each other.
struct ParityBounds {
    /// Relative L∞ error of each image's logits against the reference.
    var logits: Float = 1e-4
    /// Relative L∞ difference between the first image run alone on two cores and the same image in the batch
    /// on one: two summation orders of our own may differ as much as PyTorch's float32 may differ from float64
    /// on a fixture (models.py's float32_error accepts up to 3e-5: vgg16_bn at 32×32 is 2.6e-5 off, its two runs
    /// here 1.6e-5).
    var batchAgreement: Float = 3e-5

    /// The bounds every network but one is held to.
    static let standard = ParityBounds()
}

/// The parity check every architecture's test runs: relative L∞ error per image within `ParityBounds`
/// (1e-4), the same top-1 and top-5 set, and every stage tap within 1e-3 of PyTorch's channel means.
extension XCTestCase {
    /// Runs `fixture`'s checkpoint as the architecture named like the fixture and compares every input's
    /// logits and stage taps with PyTorch's.
    func checkParity(_ fixture: ModelFixture, bounds: ParityBounds = .standard, file: StaticString = #filePath, line: UInt = #line) throws {
        let model = fixture.model
        // The whole batch in one group on one core (small pointwise convs then run as one GEMM over its
        // images); the first image alone on two cores, every kernel split between them.
        let networks = try fixture.networks(threads: [1, 2])
        let (network, split) = (networks[0], networks[1])
        XCTAssertEqual(network.architecture.name, model, file: file, line: line)
        XCTAssertEqual(network.classes, try fixture.logits(fixture.inputs.keys.sorted()[0]).shape[1])
        for name in fixture.inputs.keys.sorted() {
            let input = try fixture.input(name)
            let reference = try fixture.logits(name)
            let result = try network.run(FeatureMap(shape: input.shape, values: input.values), capturing: fixture.taps)
            XCTAssertEqual(result.output.shape, reference.shape, "\(model) \(name)", file: file, line: line)
            let classes = reference.shape[1]
            var failed = false
            for image in 0..<reference.shape[0] {
                let ours = Array(result.output.values[image * classes..<(image + 1) * classes])
                let theirs = Array(reference.values[image * classes..<(image + 1) * classes])
                let error = relativeError(ours, theirs)
                print("\(model) \(name)[\(image)] (\(fixture.dtype) weights, \(fixture.reference ?? "float32") reference): rel. L∞ error \(error)")
                let sameTop1 = topIndices(ours, 1) == topIndices(theirs, 1)
                let sameTop5 = Set(topIndices(ours, 5)) == Set(topIndices(theirs, 5))
                XCTAssertLessThanOrEqual(error, bounds.logits, "\(model) \(name)[\(image)] logits", file: file, line: line)
                XCTAssertTrue(sameTop1, "\(model) \(name)[\(image)] top-1 \(topIndices(ours, 1)) vs \(topIndices(theirs, 1))", file: file, line: line)
                XCTAssertTrue(sameTop5, "\(model) \(name)[\(image)] top-5 \(topIndices(ours, 5)) vs \(topIndices(theirs, 5))", file: file, line: line)
                failed = failed || error > bounds.logits || !sameTop1 || !sameTop5
            }
            // The first image alone: a batch of one runs every kernel split over both cores (`WorkSplit`)
            // where the batch above ran on one core; both must match PyTorch.
            let perImage = input.shape.dropFirst().reduce(1, *)
            let alone = try split.run(FeatureMap(shape: [1] + input.shape.dropFirst(), values: Array(input.values[0..<perImage])))
            let aloneError = relativeError(alone.values, Array(reference.values[0..<classes]))
            print("\(model) \(name)[0] alone, kernels split over 2 cores: rel. L∞ error \(aloneError)")
            XCTAssertLessThanOrEqual(aloneError, bounds.logits, "\(model) \(name)[0] alone", file: file, line: line)
            XCTAssertEqual(
                topIndices(alone.values, 1), topIndices(Array(reference.values[0..<classes]), 1),
                "\(model) \(name)[0] alone: top-1", file: file, line: line)
            XCTAssertLessThanOrEqual(
                relativeError(alone.values, Array(result.output.values[0..<classes])), bounds.batchAgreement,
                "\(model) \(name)[0] alone against the same image in the batch", file: file, line: line)
            // Stage outputs are checked on every run, so the localisation a failure relies on is itself tested.
            let divergence = try firstDivergingTap(fixture, input: name, taps: result.taps)
            if failed || divergence != nil {
                XCTFail(
                    "\(model) \(name): \(divergence ?? "every tap matches PyTorch; the divergence is after the last one")",
                    file: file, line: line)
            }
        }
    }

    /// The first stage whose per-channel means differ from PyTorch's by more than 1e-3 of their largest
    /// magnitude (where to look when the logits do not match), or nil.
    private func firstDivergingTap(_ fixture: ModelFixture, input: String, taps: [String: FeatureMap]) throws -> String? {
        var worst: Float = 0
        for tap in fixture.taps {
            let reference = try fixture.tapMeans(tap, input: input)
            guard let ours = taps[tap] else { return "tap \(tap) missing from the graph" }
            let means = channelMeans(ours)
            guard means.count == reference.values.count else {
                return "first diverging tap \(tap): shape \(ours.shape) against PyTorch means \(reference.shape)"
            }
            let error = relativeError(means, reference.values)
            if error > 1e-3 { return "first diverging tap \(tap): channel means rel. error \(error)" }
            worst = max(worst, error)
        }
        print("\(fixture.model) \(input): \(fixture.taps.count) stage taps, worst channel-mean rel. error \(worst)")
        return nil
    }
}
