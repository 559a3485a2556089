@testable import PthKernels
import XCTest

/// Pointwise convs of a batch of small maps run as one GEMM over the gathered images: every image
/// gets what it gets alone (up to rounding, should OpenBLAS sum a wider matrix in another order),
/// and PyTorch's numbers (a direct convolution in Double).
final class PointwiseBatchTests: XCTestCase {
    func testBatchedPathMatchesEachImageAlone() {
        let (inChannels, outChannels, height, width, batch) = (24, 64, 3, 5, 3)
        let g = ConvolutionGeometry(inChannels: inChannels, outChannels: outChannels, kernelHeight: 1, kernelWidth: 1)
        let weights = pseudoRandom(count: outChannels * inChannels, seed: 11)
        let bias = pseudoRandom(count: outChannels, seed: 12)
        let scale = pseudoRandom(count: outChannels, seed: 13).map { 0.5 + abs($0) }
        let conv = ConvolutionKernel(geometry: g, weights: weights, scale: scale, bias: bias, activation: .silu)
        // Images are slices of a wider buffer (a concat's), outputs too: strides larger than an image.
        let inputStride = inChannels * height * width + 7, outputStride = outChannels * height * width + 5
        let input = pseudoRandom(count: batch * inputStride, seed: 14)
        XCTAssertGreaterThan(conv.scratchCount(batch: batch, height: height, width: width), 0, "takes the batched path")

        let together = run(conv, input, inputStride: inputStride, outputStride: outputStride, batch: batch, height: height, width: width)
        for n in 0..<batch {
            let alone = run(conv, Array(input[(n * inputStride)..<((n + 1) * inputStride)]), inputStride: inputStride,
                            outputStride: outputStride, batch: 1, height: height, width: width)
            let ours = Array(together[(n * outputStride)..<(n * outputStride + outChannels * height * width)])
            let reference = Array(alone[0..<(outChannels * height * width)])
            XCTAssertLessThanOrEqual(zip(ours, reference).map { abs($0 - $1) }.max()!, 1e-6 * reference.map(abs).max()!, "image \(n)")
            // The gaps between images are never written.
            XCTAssertTrue(together[(n * outputStride + outChannels * height * width)..<((n + 1) * outputStride)].allSatisfy(\.isNaN))
        }
        let expected = directConvolution(input, inputStride: inputStride, height: height, width: width, batch: batch,
                                         weights: weights.enumerated().map { $1 * scale[$0 / inChannels] },
                                         bias: bias, geometry: g, outputStride: outputStride)
        for (i, reference) in expected.enumerated() where !together[i].isNaN {
            let silu = Double(reference) / (1 + exp(-Double(reference)))
            XCTAssertEqual(Double(together[i]), silu, accuracy: 1e-5, "element \(i)")
        }
    }

    private func run(_ conv: ConvolutionKernel, _ input: [Float], inputStride: Int, outputStride: Int, batch: Int,
                     height: Int, width: Int) -> [Float] {
        var output = [Float](repeating: .nan, count: batch * outputStride)
        var scratch = [Float](repeating: .nan, count: max(1, conv.scratchCount(batch: batch, height: height, width: width)))
        input.withUnsafeBufferPointer { x in output.withUnsafeMutableBufferPointer { y in scratch.withUnsafeMutableBufferPointer { s in
            conv.run(input: x.baseAddress!, inputStride: inputStride, height: height, width: width, output: y.baseAddress!,
                     outputStride: outputStride, batch: batch, scratch: s.baseAddress!)
        } } }
        return output
    }
}
