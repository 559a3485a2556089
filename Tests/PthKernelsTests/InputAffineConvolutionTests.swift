import XCTest

@testable import PthKernels

/// An input affine applied in the conv (`ConvolutionKernel.InputAffine`) gives the bits of a separate
/// `Kernels.channelAffine` pass followed by the conv, on every path a pointwise conv takes with packed
/// weights: image by image with the product cut by rows or by columns, the batch as one GEMM, one
/// column (a 1×1 map), serial and on two cores, with ReLU or without, with a residual too.
final class InputAffineConvolutionTests: XCTestCase {
    func testAffineInTheConvEqualsASeparatePass() {
        // 40 output channels against 9 pixels: the product is cut by rows; against 1600 by columns.
        // Batch 3 of 3×3 maps runs as one GEMM; 1×1 maps are the one-column product.
        for (side, batch) in [(3, 1), (3, 3), (40, 2), (1, 1)] {
            for relu in [true, false] {
                for split in [WorkSplit.serial, WorkSplit(threads: 2, splitsSmallWork: true)] {
                    for withResidual in [false, true] {
                        check(side: side, batch: batch, relu: relu, withResidual: withResidual, split: split)
                    }
                }
            }
        }
    }

    private func check(side: Int, batch: Int, relu: Bool, withResidual: Bool, split: WorkSplit) {
        let g = ConvolutionGeometry(inChannels: 24, outChannels: 40, kernelHeight: 1, kernelWidth: 1)
        let weights = pseudoRandom(count: g.outChannels * g.inChannels, seed: 31)
        let bias = pseudoRandom(count: g.outChannels, seed: 32)
        let scale = pseudoRandom(count: g.outChannels, seed: 33).map { 0.5 + abs($0) }
        // Some channels' factors negative, so ReLU zeroes whole channels' worth of values.
        let affine = ConvolutionKernel.InputAffine(
            scale: pseudoRandom(count: g.inChannels, seed: 34).map { 2 * $0 }, shift: pseudoRandom(count: g.inChannels, seed: 35),
            appliesReLU: relu)
        let fused = ConvolutionKernel(geometry: g, weights: weights, scale: scale, bias: bias, activation: .silu, inputAffine: affine)
        let plain = ConvolutionKernel(geometry: g, weights: weights, scale: scale, bias: bias, activation: .silu)
        fused.prepare()
        plain.prepare()
        let pixels = side * side, outPlanes = g.outChannels * pixels
        // Every buffer a slice of a wider one, as in an arena.
        let inputStride = g.inChannels * pixels + 3, outputStride = outPlanes + 5, residualStride = outPlanes + 2
        let input = pseudoRandom(count: batch * inputStride, seed: 36).map { 3 * $0 }
        let residual = pseudoRandom(count: batch * residualStride, seed: 37)
        func run(_ kernel: ConvolutionKernel, _ input: [Float]) -> [Float] {
            var output = [Float](repeating: .nan, count: batch * outputStride)
            var scratch = [Float](repeating: .nan, count: max(1, kernel.scratchCount(batch: batch, height: side, width: side, split: split)))
            input.withUnsafeBufferPointer { x in
                residual.withUnsafeBufferPointer { r in
                    output.withUnsafeMutableBufferPointer { y in
                        scratch.withUnsafeMutableBufferPointer { t in
                            kernel.run(
                                input: x.baseAddress!, inputStride: inputStride, height: side, width: side,
                                output: y.baseAddress!, outputStride: outputStride, batch: batch,
                                residual: withResidual ? r.baseAddress! : nil, residualStride: residualStride,
                                scratch: t.baseAddress!, split: split)
                        }
                    }
                }
            }
            return output
        }
        // The separate pass: the normalised map written out, then the plain conv over it.
        var normalised = input
        input.withUnsafeBufferPointer { x in
            affine.scale.withUnsafeBufferPointer { s in
                affine.shift.withUnsafeBufferPointer { t in
                    normalised.withUnsafeMutableBufferPointer { z in
                        Kernels.channelAffine(
                            x.baseAddress!, PlaneLayout(channels: g.inChannels, height: side, width: side, stride: inputStride),
                            scale: s.baseAddress!, shift: t.baseAddress!, then: relu ? .relu : .identity,
                            to: z.baseAddress!, stride: inputStride, batch: batch)
                    }
                }
            }
        }
        let together = run(fused, input), separate = run(plain, normalised)
        for n in 0..<batch {
            let range = (n * outputStride)..<(n * outputStride + outPlanes)
            XCTAssertEqual(
                together[range].map(\.bitPattern), separate[range].map(\.bitPattern),
                "\(side)×\(side) batch \(batch) relu \(relu) residual \(withResidual) threads \(split.threads) image \(n)")
            XCTAssertTrue(together[n * outputStride + outPlanes].isNaN, "wrote past image \(n)")
        }
    }
}
