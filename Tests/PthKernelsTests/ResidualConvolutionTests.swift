import XCTest

@testable import PthKernels

/// A residual added in the conv (`run`'s `residual`) gives the bits of the conv without it followed
/// by a separate add and activation, on every path a 1×1 conv takes: pointwise image by image,
/// strided (unfolded) image by image, the batch as one GEMM (pointwise and unfolded), with packed
/// weights or OpenBLAS's, serial and on two cores, with a squeeze-excitation gate too.
final class ResidualConvolutionTests: XCTestCase {
    func testResidualInTheConvEqualsASeparateAdd() {
        let pointwise = ConvolutionGeometry(inChannels: 24, outChannels: 40, kernelHeight: 1, kernelWidth: 1)
        let strided = ConvolutionGeometry(
            inChannels: 24, outChannels: 40, kernelHeight: 1, kernelWidth: 1, strideHeight: 2, strideWidth: 2)
        for (g, side) in [(pointwise, 3), (pointwise, 40), (strided, 5), (strided, 80)] {
            for packed in [false, true] {
                for activation in [ActivationFunction.relu, .identity, .silu] {
                    for split in [WorkSplit.serial, WorkSplit(threads: 2, splitsSmallWork: true)] {
                        for gated in packed && g.isPointwise ? [false, true] : [false] {
                            check(g, side: side, packed: packed, activation: activation, gated: gated, split: split)
                        }
                    }
                }
            }
        }
    }

    private func check(
        _ g: ConvolutionGeometry, side: Int, packed: Bool, activation: ActivationFunction, gated: Bool, split: WorkSplit
    ) {
        let batch = 3
        let weights = pseudoRandom(count: g.outChannels * g.inChannels, seed: 21)
        let bias = pseudoRandom(count: g.outChannels, seed: 22)
        let scale = pseudoRandom(count: g.outChannels, seed: 23).map { 0.5 + abs($0) }
        let fused = ConvolutionKernel(geometry: g, weights: weights, scale: scale, bias: bias, activation: activation)
        let plain = ConvolutionKernel(geometry: g, weights: weights, scale: scale, bias: bias, activation: .identity)
        if packed {
            fused.prepare()
            plain.prepare()
        }
        let outPlanes = g.outChannels * g.outputHeight(side) * g.outputWidth(side)
        // Every buffer a slice of a wider one, as in an arena.
        let inputStride = g.inChannels * side * side + 3, outputStride = outPlanes + 5, residualStride = outPlanes + 2
        let input = pseudoRandom(count: batch * inputStride, seed: 24)
        let residual = pseudoRandom(count: batch * residualStride, seed: 25).map { 3 * $0 }
        let gate = pseudoRandom(count: batch * g.inChannels, seed: 26)
        func run(_ kernel: ConvolutionKernel, residual: [Float]?) -> [Float] {
            var output = [Float](repeating: .nan, count: batch * outputStride)
            var scratch = [Float](repeating: .nan, count: max(1, kernel.scratchCount(batch: batch, height: side, width: side, split: split)))
            input.withUnsafeBufferPointer { x in
                gate.withUnsafeBufferPointer { s in
                    output.withUnsafeMutableBufferPointer { y in
                        scratch.withUnsafeMutableBufferPointer { t in
                            func go(_ r: UnsafePointer<Float>?) {
                                kernel.run(
                                    input: x.baseAddress!, inputStride: inputStride, height: side, width: side,
                                    output: y.baseAddress!, outputStride: outputStride, batch: batch,
                                    inputScale: gated ? s.baseAddress! : nil, inputScaleStride: g.inChannels,
                                    residual: r, residualStride: residualStride, scratch: t.baseAddress!, split: split)
                            }
                            if let residual { residual.withUnsafeBufferPointer { go($0.baseAddress!) } } else { go(nil) }
                        }
                    }
                }
            }
            return output
        }
        let together = run(fused, residual: residual)
        var separate = run(plain, residual: nil)
        for n in 0..<batch {
            separate.withUnsafeMutableBufferPointer { y in
                residual.withUnsafeBufferPointer { r in
                    let z = y.baseAddress! + n * outputStride
                    Kernels.add(z, stride: 0, r.baseAddress! + n * residualStride, stride: 0, to: z, stride: 0, batch: 1, count: outPlanes, then: activation)
                }
            }
        }
        for n in 0..<batch {
            let range = (n * outputStride)..<(n * outputStride + outPlanes)
            XCTAssertEqual(
                together[range].map(\.bitPattern), separate[range].map(\.bitPattern),
                "\(g.strideHeight == 1 ? "pointwise" : "strided") \(side)×\(side) packed \(packed) \(activation) gated \(gated) threads \(split.threads) image \(n)"
            )
            XCTAssertTrue(together[n * outputStride + outPlanes].isNaN, "wrote past image \(n)")
        }
    }
}
