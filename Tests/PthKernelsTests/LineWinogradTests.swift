import XCTest

@testable import PthKernels

/// Winograd F(2, 7) on 1×7 and 7×1 convs, and F(4, 3) on 1×3 and 3×1 convs, against a direct
/// convolution summed in Double.
final class LineWinogradTests: XCTestCase {
    /// Both axes; maps whose last tile reaches past the edge and ones it does not; symmetric,
    /// asymmetric and cross-axis padding; channel counts that fill part of an 8-channel block; a
    /// strided batch with a folded BatchNorm factor and a fused activation; the GEMMs of every
    /// instruction set this CPU runs, serial and cut over two cores, which must give the same bits.
    /// With 300 input channels the batch's 828 tiles run in five chunks.
    func testMatchesDirectConvolution() throws {
        for (height, width, pads, inChannels, vertical, taps) in [
            (17, 17, (0, 0, 3, 3), 11, false, 7), (17, 17, (3, 3, 0, 0), 11, true, 7), (6, 10, (1, 0, 2, 4), 37, false, 7),
            (10, 5, (2, 4, 0, 1), 37, true, 7), (9, 7, (0, 0, 0, 0), 11, false, 7), (23, 23, (0, 0, 3, 3), 300, false, 7),
            (8, 8, (0, 0, 1, 1), 37, false, 3), (8, 8, (1, 1, 0, 0), 37, true, 3), (5, 11, (0, 1, 2, 0), 11, false, 3),
            (11, 5, (2, 0, 0, 1), 11, true, 3),
        ] {
            let g = ConvolutionGeometry(
                inChannels: inChannels, outChannels: 13, kernelHeight: vertical ? taps : 1, kernelWidth: vertical ? 1 : taps,
                padTop: pads.0, padBottom: pads.1, padLeft: pads.2, padRight: pads.3)
            let batch = 3
            let weights = pseudoRandom(count: 13 * inChannels * taps, seed: 41).map { $0 * 0.3 }
            let bias = pseudoRandom(count: 13, seed: 42), scale = pseudoRandom(count: 13, seed: 43).map { 0.5 + abs($0) }
            let inputStride = inChannels * height * width + 5, outH = g.outputHeight(height), outW = g.outputWidth(width)
            let outputStride = 13 * outH * outW + 3
            let input = pseudoRandom(count: batch * inputStride, seed: 44)
            let expected = float64ReferenceConvolution(
                input, inputStride: inputStride, height: height, width: width, batch: batch,
                weights: weights.enumerated().map { $1 * scale[$0 / (inChannels * taps)] }, bias: bias, geometry: g,
                outputStride: outputStride
            )
            .map { max($0, 0) }
            for isa in InstructionSet.supported {
                var serialOutput: [Float]?
                for split in [WorkSplit.serial, WorkSplit(threads: 2, splitsSmallWork: true)] {
                    let kernel = weights.withUnsafeBufferPointer { w in
                        LineWinogradConvolution(
                            weights: w.baseAddress!, scale: scale, bias: bias, geometry: g, split: split, instructionSet: isa)
                    }
                    let output = kernelOutput(
                        input: input, outputCount: batch * outputStride,
                        scratchCount: kernel.scratchCount(batch: batch, height: height, width: width, split: split)
                    ) { x, y, s in
                        kernel.run(
                            input: x, inputStride: inputStride, height: height, width: width, output: y,
                            outputStride: outputStride, batch: batch, activation: .relu, scratch: s, split: split)
                    }
                    let context =
                        "\(isa) threads \(split.threads), \(vertical ? "\(taps)×1" : "1×\(taps)") \(inChannels) channels, \(height)×\(width) pads \(pads)"
                    for n in 0..<batch {
                        // Padding between images is never written.
                        XCTAssertEqual(output[n * outputStride + 13 * outH * outW], 0, context)
                    }
                    let error = relativeError(output, expected)
                    XCTAssertLessThanOrEqual(error, 1e-5, "\(context): rel. L∞ \(error)")
                    assertSameBits(output, asFirstOf: &serialOutput, context)
                }
            }
        }
    }

    /// A prepared 1×7 conv runs F(2, 7) (its GEMM weights are gone) and gives the direct
    /// convolution's numbers at any map size, with SiLU fused.
    func testConvolutionKernelRunsLineWinogradOncePrepared() throws {
        let g = ConvolutionGeometry(
            inChannels: 16, outChannels: 24, kernelHeight: 1, kernelWidth: 7, padTop: 0, padBottom: 0, padLeft: 3, padRight: 3)
        let weights = pseudoRandom(count: 24 * 16 * 7, seed: 51).map { $0 * 0.2 }
        let bias = pseudoRandom(count: 24, seed: 52)
        let conv = ConvolutionKernel(geometry: g, weights: weights, bias: bias, activation: .silu)
        XCTAssertFalse(conv.runsLineWinograd)
        conv.prepare()
        XCTAssertTrue(conv.runsLineWinograd)
        for (height, width) in [(17, 17), (3, 30)] {
            let input = pseudoRandom(count: 2 * 16 * height * width, seed: 53)
            let error = conv.outputAndDirectError(
                for: input, batch: 2, height: height, width: width, weights: weights, bias: bias,
                activation: { $0 / (1 + exp(-$0)) }
            ).error
            XCTAssertLessThanOrEqual(error, 1e-5, "\(height)×\(width): rel. L∞ \(error)")
        }
    }
}
