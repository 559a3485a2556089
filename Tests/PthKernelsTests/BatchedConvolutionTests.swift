import XCTest

@testable import PthKernels

/// Convs of a batch of small maps run as one GEMM over the images' gathered planes (pointwise) or
/// side-by-side im2col columns (others): every image gets what it gets alone (up to rounding, should
/// OpenBLAS sum a wider matrix in another order), and the float64 reference convolution (`float64ReferenceConvolution`);
/// with a squeeze-excitation gate on the input channels or without.
final class BatchedConvolutionTests: XCTestCase {
    func testPointwiseBatchMatchesEachImageAloneAndTheFloat64Reference() {
        check(ConvolutionGeometry(inChannels: 24, outChannels: 64, kernelHeight: 1, kernelWidth: 1), height: 3, width: 5)
    }

    func testUnfoldedBatchMatchesEachImageAloneAndTheFloat64Reference() {
        check(
            ConvolutionGeometry(
                inChannels: 6, outChannels: 10, kernelHeight: 3, kernelWidth: 2, strideHeight: 2, strideWidth: 1,
                padTop: 1, padBottom: 0, padLeft: 1, padRight: 1), height: 7, width: 6)
    }

    func testPackedPointwiseBatchMatchesEachImageAloneAndTheFloat64Reference() {
        check(
            ConvolutionGeometry(inChannels: 24, outChannels: 64, kernelHeight: 1, kernelWidth: 1), height: 3, width: 5,
            packed: true)
    }

    func testPackedUnfoldedBatchMatchesEachImageAloneAndTheFloat64Reference() {
        check(
            ConvolutionGeometry(
                inChannels: 6, outChannels: 10, kernelHeight: 3, kernelWidth: 2, strideHeight: 2, strideWidth: 1,
                padTop: 1, padBottom: 0, padLeft: 1, padRight: 1), height: 7, width: 6, packed: true)
    }

    /// A squeeze-excitation gate on the input channels, applied as the packed GEMM reads them: the same
    /// numbers, bit for bit, as the conv of the input multiplied beforehand, batched or alone.
    func testGatedPackedPointwiseMatchesTheConvOfTheScaledInput() {
        let g = ConvolutionGeometry(inChannels: 24, outChannels: 64, kernelHeight: 1, kernelWidth: 1)
        check(g, height: 3, width: 5, packed: true, gated: true)
        // 12×12 maps: each image multiplies alone (too wide for the batched path).
        check(g, height: 12, width: 12, packed: true, gated: true, batched: false)
    }

    /// `packed`: the conv's weights packed for the micro-kernel (`prepare()`), else OpenBLAS multiplies.
    /// `gated`: a factor per image and input channel multiplies the input (`run`'s `inputScale`).
    /// `batched`: whether the batch takes the one-GEMM path.
    private func check(
        _ g: ConvolutionGeometry, height: Int, width: Int, packed: Bool = false, gated: Bool = false,
        batched: Bool = true, file: StaticString = #filePath, line: UInt = #line
    ) {
        let batch = 3, taps = g.kernelHeight * g.kernelWidth
        let weights = pseudoRandom(count: g.outChannels * g.inChannels * taps, seed: 11)
        let bias = pseudoRandom(count: g.outChannels, seed: 12)
        let scale = pseudoRandom(count: g.outChannels, seed: 13).map { 0.5 + abs($0) }
        let conv = ConvolutionKernel(geometry: g, weights: weights, scale: scale, bias: bias, activation: .silu)
        if packed { conv.prepare() }
        let outPlanes = g.outChannels * g.outputHeight(height) * g.outputWidth(width)
        // Images are slices of wider buffers (a concat's): strides larger than an image.
        let inputStride = g.inChannels * height * width + 7, outputStride = outPlanes + 5
        let input = pseudoRandom(count: batch * inputStride, seed: 14)
        // One factor per image and input channel, rows wider than the channels (an arena slice).
        let gateStride = g.inChannels + 3
        let gate = gated ? pseudoRandom(count: batch * gateStride, seed: 15).map { 2 * $0 } : nil
        XCTAssertEqual(
            conv.scratchCount(batch: batch, height: height, width: width)
                > conv.scratchCount(batch: 1, height: height, width: width), batched, "takes the batched path",
            file: file, line: line)

        let together = run(
            conv, input, inputStride: inputStride, outputStride: outputStride, batch: batch, height: height, width: width,
            gate: gate, gateStride: gateStride)
        // What a separate scaling pass would give the conv: the input multiplied beforehand.
        let gatedInput = gate.map { gate in
            input.enumerated().map { i, x in
                let (n, c) = (i / inputStride, i % inputStride / (height * width))
                return c < g.inChannels ? x * gate[n * gateStride + c] : x
            }
        }
        if let gatedInput {
            let scaledFirst = run(conv, gatedInput, inputStride: inputStride, outputStride: outputStride, batch: batch, height: height, width: width)
            XCTAssertEqual(together.map(\.bitPattern), scaledFirst.map(\.bitPattern), "gate applied as a separate pass", file: file, line: line)
        }
        for n in 0..<batch {
            let alone = run(
                conv, Array(input[(n * inputStride)..<((n + 1) * inputStride)]), inputStride: inputStride,
                outputStride: outputStride, batch: 1, height: height, width: width,
                gate: gate.map { Array($0[(n * gateStride)..<((n + 1) * gateStride)]) }, gateStride: gateStride)
            let ours = Array(together[(n * outputStride)..<(n * outputStride + outPlanes)]), reference = Array(alone[0..<outPlanes])
            XCTAssertLessThanOrEqual(
                zip(ours, reference).map { abs($0 - $1) }.max()!, 1e-6 * reference.map(abs).max()!,
                "image \(n)", file: file, line: line)
            // The gaps between images are never written.
            XCTAssertTrue(together[(n * outputStride + outPlanes)..<((n + 1) * outputStride)].allSatisfy(\.isNaN), file: file, line: line)
        }
        let expected = float64ReferenceConvolution(
            gatedInput ?? input, inputStride: inputStride, height: height, width: width, batch: batch,
            weights: weights.enumerated().map { $1 * scale[$0 / (g.inChannels * taps)] },
            bias: bias, geometry: g, outputStride: outputStride)
        for (i, reference) in expected.enumerated() where !together[i].isNaN {
            let silu = Double(reference) / (1 + exp(-Double(reference)))
            XCTAssertEqual(Double(together[i]), silu, accuracy: 1e-5, "element \(i)", file: file, line: line)
        }
    }

    private func run(
        _ conv: ConvolutionKernel, _ input: [Float], inputStride: Int, outputStride: Int, batch: Int,
        height: Int, width: Int, gate: [Float]? = nil, gateStride: Int = 0
    ) -> [Float] {
        var output = [Float](repeating: .nan, count: batch * outputStride)
        var scratch = [Float](repeating: .nan, count: max(1, conv.scratchCount(batch: batch, height: height, width: width)))
        input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                scratch.withUnsafeMutableBufferPointer { s in
                    (gate ?? []).withUnsafeBufferPointer { gatePointer in
                        conv.run(
                            input: x.baseAddress!, inputStride: inputStride, height: height, width: width, output: y.baseAddress!,
                            outputStride: outputStride, batch: batch, inputScale: gate == nil ? nil : gatePointer.baseAddress,
                            inputScaleStride: gateStride, scratch: s.baseAddress!)
                    }
                }
            }
        }
        return output
    }
}
