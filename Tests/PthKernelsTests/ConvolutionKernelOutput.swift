import XCTest
@testable import PthKernels

/// Runs `body` on `input`, an output of `outputCount` zeros and a scratch of `scratchCount` NaNs
/// (so a kernel that reads scratch it never wrote shows it), and returns the output.
func kernelOutput(
    input: [Float], outputCount: Int, scratchCount: Int,
    _ body: (_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, _ scratch: UnsafeMutablePointer<Float>) -> Void
) -> [Float] {
    var output = [Float](repeating: 0, count: outputCount)
    var scratch = [Float](repeating: .nan, count: scratchCount)
    input.withUnsafeBufferPointer { x in
        output.withUnsafeMutableBufferPointer { y in
            scratch.withUnsafeMutableBufferPointer { s in body(x.baseAddress!, y.baseAddress!, s.baseAddress!) }
        }
    }
    return output
}

/// Asserts that `output` has the bits of the first output of a set of runs that must agree (serial
/// and split, stored and transformed filters, every instruction set), keeping the first in `first`.
func assertSameBits(_ output: [Float], asFirstOf first: inout [Float]?, _ context: String, line: UInt = #line) {
    guard let first else {
        first = output
        return
    }
    XCTAssertEqual(output.map(\.bitPattern), first.map(\.bitPattern), "\(context): not the first run's bits", line: line)
}

extension ConvolutionKernel {
    /// Prepares the kernel for `height × width` and runs it on `batch` contiguous NCHW images,
    /// returning the contiguous outputs.
    func output(for input: [Float], batch: Int, height: Int, width: Int, split: WorkSplit = .serial) -> [Float] {
        let outputCount = geometry.outChannels * geometry.outputHeight(height) * geometry.outputWidth(width)
        prepare(height: height, width: width, split: split)
        return kernelOutput(
            input: input, outputCount: batch * outputCount,
            scratchCount: scratchCount(batch: batch, height: height, width: width, split: split)
        ) { x, y, s in
            run(
                input: x, inputStride: geometry.inChannels * height * width, height: height, width: width, output: y,
                outputStride: outputCount, batch: batch, scratch: s, split: split)
        }
    }

    /// `output(for:…)` and its relative L∞ error against the direct convolution of `weights` and
    /// `bias` summed in Double, through `activation`.
    func outputAndDirectError(
        for input: [Float], batch: Int, height: Int, width: Int, weights: [Float], bias: [Float],
        activation: (Float) -> Float, split: WorkSplit = .serial
    ) -> (output: [Float], error: Float) {
        let g = geometry
        let output = output(for: input, batch: batch, height: height, width: width, split: split)
        let expected = float64ReferenceConvolution(
            input, inputStride: g.inChannels * height * width, height: height, width: width, batch: batch,
            weights: weights, bias: bias, geometry: g, outputStride: g.outChannels * g.outputHeight(height) * g.outputWidth(width)
        )
        .map(activation)
        return (output, relativeError(output, expected))
    }
}
