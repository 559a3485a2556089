import XCTest

@testable import PthKernels

/// The depthwise paths (row tiles of 32 and 16 pixels with partial vectors and row groups, stride-2
/// rows deinterleaved or not; channel blocks of one vector's width for rows under 16 pixels, whole
/// and partial; the scalar loop for strides over 2) against a direct convolution summed in Double,
/// and against each other bit for bit.
final class DepthwiseTests: XCTestCase {
    func testMatchesDirectConvolutionAtEveryRowWidth() throws {
        // 21 channels: whole channel blocks and a partial one for every vector width (16 + 5, 8 + 8
        // + 5, 5 × 4 + 1).
        let channels = 21
        // The four windows the kernel unrolls (3×3 and 5×5, stride 1 and 2), a dilated one and a
        // stride-3 one it does not.
        for (kernel, stride, dilation) in [(3, 1, 1), (3, 2, 1), (5, 1, 1), (5, 2, 1), (3, 2, 2), (3, 3, 1)] {
            for (width, height) in [(1, 9), (7, 7), (8, 9), (13, 14), (16, 4), (17, 1), (33, 9), (47, 6), (56, 5), (70, 9)] {
                let pad = dilation * (kernel - 1) / 2
                let g = ConvolutionGeometry(
                    inChannels: channels, outChannels: channels, kernelHeight: kernel, kernelWidth: kernel,
                    strideHeight: stride, strideWidth: stride, padTop: pad, padBottom: pad, padLeft: pad,
                    padRight: pad, dilationHeight: dilation, dilationWidth: dilation, groups: channels)
                let weights = pseudoRandom(count: channels * kernel * kernel, seed: 7)
                let bias = pseudoRandom(count: channels, seed: 8)
                // A folded BatchNorm's factor per channel, applied before the bias.
                let scale = pseudoRandom(count: channels, seed: 6).map { 0.5 + abs($0) }
                let input = pseudoRandom(count: 2 * channels * height * width, seed: 9).map { $0 * 4 }
                let outCount = channels * g.outputHeight(height) * g.outputWidth(width)
                let expected = float64ReferenceConvolution(
                    input, inputStride: channels * height * width, height: height, width: width,
                    batch: 2, weights: weights.enumerated().map { $1 * scale[$0 / (kernel * kernel)] },
                    bias: bias, geometry: g, outputStride: outCount
                )
                .map { min(max($0, 0), 6) }
                // Each instruction set's copy the CPU runs; serial, and cut into 3 channel ranges that do
                // not start on a block boundary. All give the same bits: every output is the same
                // chain of fused multiply-adds whatever the path.
                var first: [Float]?
                for isa in InstructionSet.supported {
                    let conv = ConvolutionKernel(geometry: g, weights: weights, scale: scale, bias: bias, activation: .relu6)
                    conv.prepare(for: isa)
                    for split in [WorkSplit.serial, WorkSplit(threads: 3, splitsSmallWork: true)] {
                        let output = run(conv, input, height: height, width: width, outCount: outCount, split: split)
                        let error = zip(output, expected).map { abs($0 - $1) }.max()!
                        let context = "\(isa) k\(kernel) s\(stride) d\(dilation) \(height)×\(width) on \(split.threads) threads"
                        XCTAssertLessThanOrEqual(error, 1e-5, "\(context): max error \(error)")
                        assertSameBits(output, asFirstOf: &first, context)
                    }
                }
            }
        }
    }

    /// A batch of two images through `conv`, each image's output followed by a gap of 16 floats
    /// that must come back untouched (a row's last vector may only spill into the plane's own next row).
    private func run(_ conv: ConvolutionKernel, _ input: [Float], height: Int, width: Int, outCount: Int, split: WorkSplit) -> [Float] {
        let channels = conv.geometry.inChannels, gap = 16, sentinel: Float = 12345
        let outputStride = outCount + gap
        var output = [Float](repeating: .nan, count: 2 * outputStride)
        for n in 0..<2 { for i in 0..<gap { output[n * outputStride + outCount + i] = sentinel } }
        var scratch = [Float](repeating: .nan, count: conv.scratchCount(batch: 2, height: height, width: width, split: split))
        input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                scratch.withUnsafeMutableBufferPointer { s in
                    conv.run(
                        input: x.baseAddress!, inputStride: channels * height * width, height: height, width: width,
                        output: y.baseAddress!, outputStride: outputStride, batch: 2, scratch: s.baseAddress!, split: split)
                }
            }
        }
        for n in 0..<2 {
            XCTAssertEqual(Array(output[(n * outputStride + outCount)..<((n + 1) * outputStride)]), Array(repeating: sentinel, count: gap))
        }
        return Array(output[0..<outCount] + output[outputStride..<(outputStride + outCount)])
    }
}
