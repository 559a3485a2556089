import XCTest

@testable import PthKernels

/// Every activation, with a folded scale and bias, against its formula (as `torch.nn` defines it) evaluated in Double,
/// at counts that exercise the short path (< 8), whole vectors and the overlapping last vector.
final class ActivationFunctionTests: XCTestCase {
    func testMatchesTheFloat64FormulasAtEveryCount() {
        let functions: [(ActivationFunction, (Double) -> Double)] = [
            (.identity, { $0 }),
            (.relu, { max($0, 0) }),
            (.relu6, { min(max($0, 0), 6) }),
            (.silu, { $0 / (1 + Foundation.exp(-$0)) }),
            (.sigmoid, { 1 / (1 + Foundation.exp(-$0)) }),
            (.hardswish, { $0 * min(max($0 + 3, 0), 6) / 6 }),
            (.hardsigmoid, { min(max($0 + 3, 0), 6) / 6 }),
        ]
        // With a scale and bias, and without (SiLU and sigmoid then skip the multiply-add).
        for (function, reference) in functions {
            for (scale, bias) in [(Float(1.75), Float(-0.25)), (1, 0)] {
                for count in [1, 5, 7, 8, 9, 15, 16, 17, 49, 196] {
                    let input = pseudoRandom(count: count, seed: UInt64(count)).map { $0 * 12 }
                    var values = input
                    values.withUnsafeMutableBufferPointer { function.apply($0.baseAddress!, count: count, scale: scale, bias: bias) }
                    for (i, x) in input.enumerated() {
                        // The kernel's one fused multiply-add, then the function in Double.
                        let expected = reference(Double(bias.addingProduct(x, scale)))
                        let tolerance = 2e-6 * max(1, abs(expected))
                        XCTAssertEqual(
                            Double(values[i]), expected, accuracy: tolerance,
                            "\(function) scale \(scale) bias \(bias) count \(count) element \(i) of \(x)")
                    }
                }
            }
        }
    }

    /// SiLU of finished values (no scale or bias) keeps a zero's sign, as PyTorch's `x · sigmoid(x)`
    /// does.
    func testSiLUOfNegativeZeroIsNegativeZero() {
        var values: [Float] = [-0.0, 0.0]
        values.withUnsafeMutableBufferPointer { ActivationFunction.silu.apply($0.baseAddress!, count: 2) }
        XCTAssertEqual(values[0].sign, .minus)
        XCTAssertEqual(values[1].sign, .plus)
    }

    func testOutOfPlaceMatchesInPlaceAndLeavesTheInputAlone() {
        let input = pseudoRandom(count: 37, seed: 3).map { $0 * 8 }
        for function in [ActivationFunction.identity, .relu, .silu, .hardswish] {
            for (scale, bias) in [(Float(1), Float(0)), (0.5, 2)] {
                var inPlace = input, output = [Float](repeating: .nan, count: 37)
                inPlace.withUnsafeMutableBufferPointer { function.apply($0.baseAddress!, count: 37, scale: scale, bias: bias) }
                input.withUnsafeBufferPointer { x in
                    output.withUnsafeMutableBufferPointer { y in
                        function.apply(from: x.baseAddress!, to: y.baseAddress!, count: 37, scale: scale, bias: bias)
                    }
                }
                XCTAssertEqual(output, inPlace, "\(function) scale \(scale) bias \(bias)")
            }
        }
        XCTAssertEqual(input, pseudoRandom(count: 37, seed: 3).map { $0 * 8 })
    }

    func testLeavesValuesAloneForIdentityWithoutScaleOrBias() {
        var values: [Float] = [-1.5, .nan, 3, .infinity]
        values.withUnsafeMutableBufferPointer { ActivationFunction.identity.apply($0.baseAddress!, count: 4) }
        XCTAssertEqual(values[0], -1.5)
        XCTAssertTrue(values[1].isNaN)
        XCTAssertEqual(values[3], .infinity)
    }
}
