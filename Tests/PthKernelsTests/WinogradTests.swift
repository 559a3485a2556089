import XCTest

@testable import PthKernels

/// Winograd F(4×4, 3×3) against a direct convolution summed in Double, and against the im2col path.
final class WinogradTests: XCTestCase {
    /// Partial edge tiles, asymmetric padding, a batch whose tiles do not fill whole lanes, strided
    /// images and a fused activation; the GEMMs of every instruction set this CPU runs, serial and
    /// cut over two cores, which must give the same bits: 70×70 (972 tiles) is cut in blocks of
    /// tiles per core, the smaller maps by phase.
    func testMatchesDirectConvolution() throws {
        // 11 input channels fill one 8-channel block and part of another, 37 four whole blocks and part of a fifth.
        for (height, width, pads, inChannels) in [
            (13, 10, (1, 1, 1, 1), 11), (9, 17, (0, 2, 1, 0), 11), (23, 23, (0, 0, 0, 0), 11),
            (9, 17, (0, 2, 1, 0), 37), (6, 38, (1, 1, 1, 1), 37), (70, 70, (1, 1, 1, 1), 11),
        ] {
            let g = ConvolutionGeometry(
                inChannels: inChannels, outChannels: 9, kernelHeight: 3, kernelWidth: 3,
                padTop: pads.0, padBottom: pads.1, padLeft: pads.2, padRight: pads.3)
            let batch = 3
            let weights = pseudoRandom(count: 9 * inChannels * 9, seed: 1).map { $0 * 0.3 }
            let bias = pseudoRandom(count: 9, seed: 2)
            let inputStride = inChannels * height * width + 5, outH = g.outputHeight(height), outW = g.outputWidth(width)
            let outputStride = 9 * outH * outW + 3
            let input = pseudoRandom(count: batch * inputStride, seed: 3)
            // A folded BatchNorm's per-output-channel factor, which the kernel multiplies into its transformed filters.
            let outputScale = pseudoRandom(count: 9, seed: 6).map { 0.5 + abs($0) }
            let scaledWeights = weights.enumerated().map { $1 * outputScale[$0 / (inChannels * 9)] }
            let expected = float64ReferenceConvolution(
                input, inputStride: inputStride, height: height, width: width, batch: batch,
                weights: scaledWeights, bias: bias, geometry: g, outputStride: outputStride)

            for isa in InstructionSet.supported {
                var serialOutput: [Float] = []
                for split in [WorkSplit.serial, WorkSplit(threads: 2, splitsSmallWork: true)] {
                    let kernel = weights.withUnsafeBufferPointer { w in
                        WinogradConvolution(weights: w.baseAddress!, scale: outputScale, bias: bias, geometry: g, instructionSet: isa)
                    }
                    var scratch = [Float](repeating: .nan, count: kernel.scratchCount(batch: batch, height: height, width: width, split: split))
                    var output = [Float](repeating: 0, count: batch * outputStride)
                    input.withUnsafeBufferPointer { x in
                        output.withUnsafeMutableBufferPointer { y in
                            scratch.withUnsafeMutableBufferPointer { s in
                                kernel.run(
                                    input: x.baseAddress!, inputStride: inputStride, height: height, width: width,
                                    output: y.baseAddress!, outputStride: outputStride, batch: batch,
                                    activation: .relu, scratch: s.baseAddress!, split: split)
                            }
                        }
                    }
                    let relu = expected.map { max($0, 0) }
                    var worst: Float = 0, scale: Float = 0
                    for n in 0..<batch {
                        for i in 0..<9 * outH * outW {
                            worst = max(worst, abs(output[n * outputStride + i] - relu[n * outputStride + i]))
                            scale = max(scale, abs(relu[n * outputStride + i]))
                        }
                        // Padding between images is never written.
                        XCTAssertEqual(output[n * outputStride + 9 * outH * outW], 0)
                    }
                    let context = "\(isa) threads \(split.threads), \(inChannels) channels, \(height)×\(width) pads \(pads)"
                    XCTAssertLessThanOrEqual(worst / scale, 1e-5, "\(context): rel. L∞ \(worst / scale)")
                    if serialOutput.isEmpty {
                        serialOutput = output
                    } else {
                        XCTAssertEqual(output.map(\.bitPattern), serialOutput.map(\.bitPattern), "\(context): not the serial run's bits")
                    }
                }
            }
        }
    }

    /// `ConvolutionKernel` takes the Winograd path for large maps and for small ones with few output
    /// channels, with SiLU fused, and gives the direct convolution's numbers.
    func testConvolutionKernelChoosesWinogradForLargeMaps() throws {
        let g = ConvolutionGeometry(
            inChannels: 16, outChannels: 24, kernelHeight: 3, kernelWidth: 3,
            padTop: 1, padBottom: 1, padLeft: 1, padRight: 1)
        let weights = pseudoRandom(count: 24 * 16 * 9, seed: 4).map { $0 * 0.2 }
        let bias = pseudoRandom(count: 24, seed: 5)
        let conv = ConvolutionKernel(geometry: g, weights: weights, bias: bias, activation: .silu)
        // 12×12 is under the pixel threshold, but 24 outputs are few beside 9 tiles; 256 are not.
        XCTAssertTrue(conv.usesWinograd(height: 12, width: 12))
        let wide = ConvolutionGeometry(
            inChannels: 16, outChannels: 256, kernelHeight: 3, kernelWidth: 3,
            padTop: 1, padBottom: 1, padLeft: 1, padRight: 1)
        XCTAssertFalse(
            ConvolutionKernel(
                geometry: wide, weights: [Float](repeating: 0, count: 256 * 16 * 9), bias: nil,
                activation: .identity
            ).usesWinograd(height: 12, width: 12))
        XCTAssertTrue(
            ConvolutionKernel(
                geometry: wide, weights: [Float](repeating: 0, count: 256 * 16 * 9), bias: nil,
                activation: .identity
            ).usesWinograd(height: 20, width: 20))
        XCTAssertFalse(
            ConvolutionKernel(
                geometry: ConvolutionGeometry(
                    inChannels: 16, outChannels: 24, kernelHeight: 3, kernelWidth: 3,
                    strideHeight: 2, strideWidth: 2),
                weights: weights, bias: bias, activation: .silu
            ).usesWinograd(height: 64, width: 64))
        for (height, width) in [(30, 27), (12, 12)] {
            let input = pseudoRandom(count: 2 * 16 * height * width, seed: 6)
            let count = 24 * height * width
            var output = [Float](repeating: 0, count: 2 * count)
            conv.prepare(height: height, width: width)
            var scratch = [Float](repeating: 0, count: conv.scratchCount(batch: 2, height: height, width: width))
            input.withUnsafeBufferPointer { x in
                output.withUnsafeMutableBufferPointer { y in
                    scratch.withUnsafeMutableBufferPointer { s in
                        conv.run(
                            input: x.baseAddress!, inputStride: 16 * height * width, height: height, width: width,
                            output: y.baseAddress!, outputStride: count, batch: 2, scratch: s.baseAddress!)
                    }
                }
            }
            let expected = float64ReferenceConvolution(
                input, inputStride: 16 * height * width, height: height, width: width, batch: 2,
                weights: weights, bias: bias, geometry: g, outputStride: count
            )
            .map { $0 / (1 + exp(-$0)) }
            let error = relativeError(output, expected)
            XCTAssertLessThanOrEqual(error, 1e-5, "\(height)×\(width): rel. L∞ \(error)")
        }
    }

    /// The filter transform cut over three cores gives the serial one's transformed filters, so the
    /// same outputs bit for bit.
    func testFilterTransformCutOverCoresIsBitIdentical() throws {
        let g = ConvolutionGeometry(
            inChannels: 37, outChannels: 9, kernelHeight: 3, kernelWidth: 3,
            padTop: 1, padBottom: 1, padLeft: 1, padRight: 1)
        let weights = pseudoRandom(count: 9 * 37 * 9, seed: 11), bias = pseudoRandom(count: 9, seed: 12)
        let scale = pseudoRandom(count: 9, seed: 13).map { 0.5 + abs($0) }
        let height = 9, width = 14
        let input = pseudoRandom(count: 37 * height * width, seed: 14)
        func output(split: WorkSplit) -> [Float] {
            let kernel = weights.withUnsafeBufferPointer { w in
                WinogradConvolution(weights: w.baseAddress!, scale: scale, bias: bias, geometry: g, split: split)
            }
            var scratch = [Float](repeating: 0, count: kernel.scratchCount(batch: 1, height: height, width: width))
            var result = [Float](repeating: 0, count: 9 * height * width)
            input.withUnsafeBufferPointer { x in
                result.withUnsafeMutableBufferPointer { y in
                    scratch.withUnsafeMutableBufferPointer { s in
                        kernel.run(
                            input: x.baseAddress!, inputStride: 37 * height * width, height: height, width: width,
                            output: y.baseAddress!, outputStride: 9 * height * width, batch: 1,
                            activation: .identity, scratch: s.baseAddress!)
                    }
                }
            }
            return result
        }
        let serial = output(split: .serial), cut = output(split: WorkSplit(threads: 3, splitsSmallWork: true))
        let differing = zip(serial, cut).filter { $0 != $1 }.count
        XCTAssertEqual(differing, 0, "\(differing) of \(cut.count) outputs differ")
        // And both are the convolution (a filter the transform skipped would read as zeros in both).
        let expected = float64ReferenceConvolution(
            input, inputStride: 37 * height * width, height: height, width: width, batch: 1,
            weights: weights.enumerated().map { $1 * scale[$0 / (37 * 9)] }, bias: bias,
            geometry: g, outputStride: 9 * height * width)
        let error = relativeError(cut, expected)
        XCTAssertLessThanOrEqual(error, 1e-5)
    }
}
