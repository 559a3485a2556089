import XCTest

@testable import PthKernels

/// A conv whose im2col matrix exceeds the budget runs in bands of output rows, with bounded scratch
/// and the direct convolution's numbers.
final class Im2colBandTests: XCTestCase {
    func testBandedConvolutionMatchesDirect() throws {
        let g = ConvolutionGeometry(
            inChannels: 16, outChannels: 4, kernelHeight: 3, kernelWidth: 3,
            strideHeight: 2, strideWidth: 2, padTop: 1, padBottom: 1, padLeft: 1, padRight: 1)
        let (height, width) = (201, 200)
        let weights = pseudoRandom(count: 4 * 16 * 9, seed: 10)
        let bias = pseudoRandom(count: 4, seed: 11)
        // A folded BatchNorm's factor per output channel, applied in the epilogue before the bias.
        let scale: [Float] = [0.5, 1.5, -2, 3]
        let conv = ConvolutionKernel(geometry: g, weights: weights, scale: scale, bias: bias, activation: .identity)
        let outCount = 4 * g.outputHeight(height) * g.outputWidth(width)
        XCTAssertGreaterThan(16 * 9 * outCount / 4, ConvolutionKernel.im2colBudget, "the full im2col must exceed the budget")
        let scratchCount = conv.scratchCount(batch: 1, height: height, width: width)
        XCTAssertLessThanOrEqual(scratchCount, ConvolutionKernel.im2colBudget)

        let input = pseudoRandom(count: 16 * height * width, seed: 12)
        var output = [Float](repeating: .nan, count: outCount)
        var scratch = [Float](repeating: .nan, count: scratchCount)
        input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                scratch.withUnsafeMutableBufferPointer { s in
                    conv.run(
                        input: x.baseAddress!, inputStride: 0, height: height, width: width,
                        output: y.baseAddress!, outputStride: 0, batch: 1, scratch: s.baseAddress!)
                }
            }
        }
        let expected = float64ReferenceConvolution(
            input, inputStride: 0, height: height, width: width, batch: 1,
            weights: weights.enumerated().map { $1 * scale[$0 / (16 * 9)] }, bias: bias,
            geometry: g, outputStride: outCount)
        let error = relativeError(output, expected)
        XCTAssertLessThanOrEqual(error, 1e-5, "rel. L∞ \(error)")
    }
}
