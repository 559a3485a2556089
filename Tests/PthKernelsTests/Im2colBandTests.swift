import XCTest

@testable import PthKernels

/// The unfolded matrix itself, entry by entry, on its stride-1, stride-2 (eight outputs at a time
/// from a row's even inputs) and other-stride paths; and a conv whose im2col matrix exceeds the
/// budget, which runs in bands of output rows, with bounded scratch and the direct convolution's
/// numbers.
final class Im2colBandTests: XCTestCase {
    func testUnfoldedMatrixHoldsEachTapsPixel() {
        let channels = 2, height = 5
        for width in [7, 16, 17, 33, 40] {
            for (kernel, stride, pad) in [(3, 1, 1), (3, 2, 1), (7, 2, 3), (1, 2, 0), (3, 3, 0)] where width + 2 * pad >= kernel {
                let g = ConvolutionGeometry(
                    inChannels: channels, outChannels: 1, kernelHeight: kernel, kernelWidth: kernel,
                    strideHeight: stride, strideWidth: stride, padTop: pad, padBottom: pad, padLeft: pad, padRight: pad)
                let outHeight = g.outputHeight(height), outWidth = g.outputWidth(width)
                let rows = channels * kernel * kernel, columns = outHeight * outWidth
                let input = pseudoRandom(count: channels * height * width, seed: 13)
                var unfolded = [Float](repeating: .nan, count: rows * columns)
                input.withUnsafeBufferPointer { x in
                    unfolded.withUnsafeMutableBufferPointer { u in
                        Kernels.im2col(
                            x.baseAddress!, height: height, width: width, geometry: g, rows: 0..<rows,
                            outRows: 0..<outHeight, outWidth: outWidth, into: u.baseAddress!)
                    }
                }
                for r in 0..<rows {
                    let c = r / (kernel * kernel), i = r % (kernel * kernel) / kernel, j = r % kernel
                    for oh in 0..<outHeight {
                        for ow in 0..<outWidth {
                            let ih = oh * stride + i - pad, iw = ow * stride + j - pad
                            let inside = ih >= 0 && ih < height && iw >= 0 && iw < width
                            XCTAssertEqual(
                                unfolded[r * columns + oh * outWidth + ow], inside ? input[(c * height + ih) * width + iw] : 0,
                                "width \(width) k\(kernel) s\(stride) p\(pad): row \(r), output (\(oh), \(ow))")
                        }
                    }
                }
            }
        }
    }

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
