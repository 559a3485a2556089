import CKernels
import XCTest

@testable import PthKernels

/// Winograd F(4×4, 3×3), F(2×2, 5×5) and F(2×2, 3×3) against a direct convolution summed in Double.
final class WinogradTests: XCTestCase {
    /// Partial edge tiles, asymmetric padding, a batch whose tiles do not fill whole lanes, strided
    /// images and a fused activation; the GEMMs of every instruction set this CPU runs, serial and
    /// cut over two cores, with the filters stored or transformed in the run, which must all give
    /// the same bits: 70×70 (972 tiles) is cut in blocks of tiles per core, the smaller maps by
    /// phase; with 300 input channels a run that transforms its filters takes 108 tiles in two chunks.
    /// 5×5 filters on odd and even maps, each edge's tiles part outside the output. 3×3 filters on
    /// 4×4 tiles (F(2×2, 3×3)) on the same kinds of maps.
    func testMatchesDirectConvolution() throws {
        // 11 input channels fill one 8-channel block and part of another, 37 four whole blocks and part of a fifth.
        for (height, width, pads, inChannels, kernel, window) in [
            (13, 10, (1, 1, 1, 1), 11, 3, 6), (9, 17, (0, 2, 1, 0), 11, 3, 6), (23, 23, (0, 0, 0, 0), 11, 3, 6),
            (9, 17, (0, 2, 1, 0), 37, 3, 6), (6, 38, (1, 1, 1, 1), 37, 3, 6), (70, 70, (1, 1, 1, 1), 11, 3, 6),
            (23, 23, (1, 1, 1, 1), 300, 3, 6),
            (13, 10, (2, 2, 2, 2), 11, 5, 6), (9, 16, (0, 3, 1, 2), 37, 5, 6), (35, 35, (2, 2, 2, 2), 11, 5, 6),
            (8, 8, (0, 0, 0, 0), 300, 5, 6),
            (7, 7, (1, 1, 1, 1), 37, 3, 4), (13, 10, (1, 1, 1, 1), 11, 3, 4), (9, 17, (0, 2, 1, 0), 11, 3, 4),
            (40, 40, (1, 1, 1, 1), 11, 3, 4), (12, 11, (1, 1, 1, 1), 300, 3, 4),
        ] {
            let g = ConvolutionGeometry(
                inChannels: inChannels, outChannels: 9, kernelHeight: kernel, kernelWidth: kernel,
                padTop: pads.0, padBottom: pads.1, padLeft: pads.2, padRight: pads.3)
            let batch = 3, taps = kernel * kernel
            let weights = pseudoRandom(count: 9 * inChannels * taps, seed: 1).map { $0 * 0.3 }
            let bias = pseudoRandom(count: 9, seed: 2)
            let inputStride = inChannels * height * width + 5, outH = g.outputHeight(height), outW = g.outputWidth(width)
            let outputStride = 9 * outH * outW + 3
            let input = pseudoRandom(count: batch * inputStride, seed: 3)
            // A folded BatchNorm's per-output-channel factor, which the kernel multiplies into its transformed filters.
            let outputScale = pseudoRandom(count: 9, seed: 6).map { 0.5 + abs($0) }
            let scaledWeights = weights.enumerated().map { $1 * outputScale[$0 / (inChannels * taps)] }
            let expected = float64ReferenceConvolution(
                input, inputStride: inputStride, height: height, width: width, batch: batch,
                weights: scaledWeights, bias: bias, geometry: g, outputStride: outputStride)

            for isa in InstructionSet.supported {
                var serialOutput: [Float]?
                for (split, storesFilters) in [
                    (WorkSplit.serial, true), (WorkSplit(threads: 2, splitsSmallWork: true), true),
                    (.serial, false), (WorkSplit(threads: 2, splitsSmallWork: true), false),
                ] {
                    let kernel = weights.withUnsafeBufferPointer { w in
                        WinogradConvolution(
                            weights: w.baseAddress!, scale: outputScale, bias: bias, geometry: g, storesFilters: storesFilters,
                            instructionSet: isa, window: window)
                    }
                    let output = kernelOutput(
                        input: input, outputCount: batch * outputStride,
                        scratchCount: kernel.scratchCount(batch: batch, height: height, width: width, split: split)
                    ) { x, y, s in
                        kernel.run(
                            input: x, inputStride: inputStride, height: height, width: width, output: y,
                            outputStride: outputStride, batch: batch, activation: .relu, scratch: s, split: split)
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
                    let context =
                        "\(isa) threads \(split.threads) stored \(storesFilters), \(g.kernelHeight)×\(g.kernelWidth) on \(window)×\(window) "
                        + "\(inChannels) channels, "
                        + "\(height)×\(width) pads \(pads)"
                    XCTAssertLessThanOrEqual(worst / scale, 1e-5, "\(context): rel. L∞ \(worst / scale)")
                    assertSameBits(output, asFirstOf: &serialOutput, context)
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
        // 5×5 on a 35×35 map: 18 × 18 tiles of 2×2.
        XCTAssertTrue(
            ConvolutionKernel(
                geometry: ConvolutionGeometry(
                    inChannels: 48, outChannels: 64, kernelHeight: 5, kernelWidth: 5,
                    padTop: 2, padBottom: 2, padLeft: 2, padRight: 2),
                weights: [Float](repeating: 0, count: 64 * 48 * 25), bias: nil, activation: .identity
            ).usesWinograd(height: 35, width: 35))
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
            let output = conv.output(for: input, batch: 2, height: height, width: width)
            let expected = float64ReferenceConvolution(
                input, inputStride: 16 * height * width, height: height, width: width, batch: 2,
                weights: weights, bias: bias, geometry: g, outputStride: count
            )
            .map { $0 / (1 + exp(-$0)) }
            let error = relativeError(output, expected)
            XCTAssertLessThanOrEqual(error, 1e-5, "\(height)×\(width): rel. L∞ \(error)")
        }
    }

    /// `pth_winograd_filters` of every instruction set this CPU runs against `scale·G·g·Gᵀ` in Double,
    /// for 3×3 and 5×5 filters on 6×6 tiles and 3×3 on 4×4:
    /// output channels that end in a partial panel, one input channel and several, the rows cut in two
    /// calls (which must give the same bits), and the gap between the matrices never written.
    func testFilterTransformMatchesDoubleTransform() throws {
        // G for F(4, 3) and F(2, 5), and for F(2, 3): each row is a point's powers times its factor
        // (the Lagrange denominator's inverse, or part of it), then the point at infinity.
        let points: [Int: [(Double, Double)]] = [
            6: [(0, 1.0 / 4), (1, -1.0 / 6), (-1, -1.0 / 6), (2, 1.0 / 24), (-2, 1.0 / 24)],
            4: [(0, 1), (1, 0.5), (-1, 0.5)],
        ]
        for isa in InstructionSet.supported {
            let panel = pth_gemm_panel_rows(isa.isa)
            for (out, inChannels, kernel, window) in [
                (1, 1, 3, 6), (7, 3, 3, 6), (13, 10, 3, 6), (2 * panel + 1, 37, 3, 6), (7, 3, 5, 6), (2 * panel + 1, 37, 5, 6),
                (1, 1, 3, 4), (13, 10, 3, 4), (2 * panel + 1, 37, 3, 4),
            ] {
                let taps = kernel * kernel, positions = window * window
                let gMatrix =
                    points[window]!.map { point, factor in (0..<kernel).map { factor * Foundation.pow(point, Double($0)) } }
                    + [(0..<kernel).map { $0 == kernel - 1 ? 1.0 : 0 }]
                let weights = pseudoRandom(count: out * inChannels * taps, seed: 21)
                let scale = pseudoRandom(count: out, seed: 22).map { 0.5 + abs($0) }
                let packed = weights.withUnsafeBufferPointer {
                    PackedMatrix($0.baseAddress!, rows: out, columns: taps * inChannels, instructionSet: isa)
                }
                let stride = pth_gemm_packed_count(isa.isa, out, inChannels) + 16
                func transformed(cut: Int) -> [Float] {
                    var u = [Float](repeating: .nan, count: positions * stride)
                    packed.withUnsafePanels { w in
                        scale.withUnsafeBufferPointer { scale in
                            u.withUnsafeMutableBufferPointer { u in
                                for rows in [0..<cut, cut..<out] where !rows.isEmpty {
                                    pth_winograd_filters(
                                        isa.isa, w + rows.lowerBound * taps * inChannels, inChannels, kernel, window, rows.count,
                                        scale.baseAddress! + rows.lowerBound, u.baseAddress! + rows.lowerBound * inChannels, stride)
                                }
                            }
                        }
                    }
                    return u
                }
                let whole = transformed(cut: out), cut = out > panel ? transformed(cut: panel) : whole
                let context = "\(isa) \(kernel)×\(kernel) on \(window)×\(window) \(out) × \(inChannels)"
                XCTAssertEqual(cut.map(\.bitPattern), whole.map(\.bitPattern), "\(context): cut rows differ")
                var worst = 0.0
                for e in 0..<positions {
                    var matrix = [Float](repeating: 0, count: out * inChannels)
                    whole.withUnsafeBufferPointer { u in
                        pth_gemm_unpack(isa.isa, u.baseAddress! + e * stride, out, inChannels, &matrix)
                    }
                    let (a, b) = (e / window, e % window)
                    for o in 0..<out {
                        for c in 0..<inChannels {
                            let g = weights[((o * inChannels) + c) * taps..<((o * inChannels) + c + 1) * taps].map(Double.init)
                            var expected = 0.0
                            for i in 0..<kernel {
                                for j in 0..<kernel { expected += gMatrix[a][i] * g[i * kernel + j] * gMatrix[b][j] }
                            }
                            expected *= Double(scale[o])
                            worst = max(worst, abs(Double(matrix[o * inChannels + c]) - expected))
                        }
                    }
                    let gap = (e * stride + stride - 16)..<(e * stride + stride)
                    XCTAssertTrue(whole[gap].allSatisfy(\.isNaN), "\(context): wrote into the gap after matrix \(e)")
                }
                // |g| ≤ 1 and scale ≤ 1.5: each value is below 2.25 in magnitude.
                XCTAssertLessThanOrEqual(worst, 2e-6, "\(context)")
            }
        }
    }

    /// A packed conv on a map with 16 tiles and more outputs than its stored filters would pay for
    /// transforms its filters in each run; once a larger map has made it store them, the same small
    /// map gives the same bits; the direct convolution's numbers either way.
    func testConvolutionKernelTransformsFiltersPerRunOnSmallMaps() throws {
        let (conv, weights, bias) = preparedConvolution(inChannels: 12, outChannels: 136, seed: 31, activation: .relu)
        XCTAssertTrue(conv.usesWinograd(height: 14, width: 14))
        XCTAssertFalse(conv.usesWinograd(height: 6, width: 6), "4 tiles of 4×4 and 9 of 2×2 are too few")
        func run(_ height: Int, _ width: Int, split: WorkSplit) -> [Float] {
            let input = pseudoRandom(count: 2 * 12 * height * width, seed: 33)
            let (output, error) = conv.outputAndDirectError(
                for: input, batch: 2, height: height, width: width, weights: weights, bias: bias,
                activation: { max($0, 0) }, split: split)
            XCTAssertLessThanOrEqual(error, 1e-5, "\(height)×\(width) threads \(split.threads): rel. L∞ \(error)")
            return output
        }
        let perRun = run(14, 13, split: .serial)
        _ = run(20, 20, split: .serial)
        let stored = run(14, 13, split: WorkSplit(threads: 2, splitsSmallWork: true))
        XCTAssertEqual(stored.map(\.bitPattern), perRun.map(\.bitPattern))
    }

    /// A packed conv on a map too small for 16 tiles of 4×4 but with 16 of 2×2 (ResNet's 7×7, Inception's
    /// 8×8) runs F(2×2, 3×3), transforming its filters in each run, cut over cores or not with the same
    /// bits; and a larger map of the same conv still runs F(4×4, 3×3). The direct convolution's
    /// numbers either way.
    func testConvolutionKernelRunsPairTilesOnSevenBySevenMaps() throws {
        let (conv, weights, bias) = preparedConvolution(inChannels: 40, outChannels: 136, seed: 41, activation: .silu)
        XCTAssertTrue(conv.usesWinograd(height: 7, width: 7))
        XCTAssertTrue(conv.usesWinograd(height: 8, width: 8))
        for (height, width) in [(7, 7), (8, 8), (14, 14), (7, 7)] {
            let input = pseudoRandom(count: 3 * 40 * height * width, seed: 43)
            let (serial, error) = conv.outputAndDirectError(
                for: input, batch: 3, height: height, width: width, weights: weights, bias: bias,
                activation: { $0 / (1 + exp(-$0)) })
            let split = conv.output(for: input, batch: 3, height: height, width: width, split: WorkSplit(threads: 2, splitsSmallWork: true))
            XCTAssertLessThanOrEqual(error, 1e-5, "\(height)×\(width): rel. L∞ \(error)")
            XCTAssertEqual(split.map(\.bitPattern), serial.map(\.bitPattern), "\(height)×\(width): not the serial run's bits")
        }
    }

    /// A packed 3×3 conv with padding 1 and random weights (seed `seed`) and bias (seed `seed + 1`).
    private func preparedConvolution(
        inChannels: Int, outChannels: Int, seed: UInt64, activation: ActivationFunction
    ) -> (ConvolutionKernel, weights: [Float], bias: [Float]) {
        let g = ConvolutionGeometry(
            inChannels: inChannels, outChannels: outChannels, kernelHeight: 3, kernelWidth: 3,
            padTop: 1, padBottom: 1, padLeft: 1, padRight: 1)
        let weights = pseudoRandom(count: outChannels * inChannels * 9, seed: seed).map { $0 * 0.2 }
        let bias = pseudoRandom(count: outChannels, seed: seed + 1)
        let conv = ConvolutionKernel(geometry: g, weights: weights, bias: bias, activation: activation)
        conv.prepare()
        return (conv, weights, bias)
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
