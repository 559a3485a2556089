@testable import PthKernels

extension ConvolutionKernel {
    /// Prepares the kernel for `height × width` and runs it on `batch` contiguous NCHW images,
    /// returning the contiguous outputs.
    func output(for input: [Float], batch: Int, height: Int, width: Int, split: WorkSplit = .serial) -> [Float] {
        let outputCount = geometry.outChannels * geometry.outputHeight(height) * geometry.outputWidth(width)
        var output = [Float](repeating: 0, count: batch * outputCount)
        prepare(height: height, width: width, split: split)
        var scratch = [Float](repeating: .nan, count: scratchCount(batch: batch, height: height, width: width, split: split))
        input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                scratch.withUnsafeMutableBufferPointer { s in
                    run(
                        input: x.baseAddress!, inputStride: geometry.inChannels * height * width, height: height,
                        width: width, output: y.baseAddress!, outputStride: outputCount, batch: batch,
                        scratch: s.baseAddress!, split: split)
                }
            }
        }
        return output
    }
}
