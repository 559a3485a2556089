import CKernels

extension Kernels {
    /// Floats of scratch `depthwiseConvolution` needs (per core that runs a part).
    static func depthwiseScratchCount(height: Int, width: Int, geometry g: ConvolutionGeometry) -> Int {
        var window = g.depthwiseWindow
        return pth_depthwise_scratch_count(&window, height, width)
    }

    /// Direct depthwise convolution of one image's channels in `channels` (one filter per channel),
    /// output scale, bias and activation fused, so parts of one image can run on different cores.
    /// The loops are C compiled for AVX-512, AVX2 and the baseline (`CKernels/depthwise_template.h`), the copy
    /// for `instructionSet` run:
    /// rows of 8 or more output pixels are vectorised along the row, narrower ones across 16
    /// channels, with the same arithmetic per output either way.
    static func depthwiseConvolution(
        _ input: UnsafePointer<Float>, height: Int, width: Int,
        weights: UnsafePointer<Float>, scale: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        activation: ActivationFunction, geometry g: ConvolutionGeometry,
        channels: Range<Int>, outHeight: Int, outWidth: Int, output: UnsafeMutablePointer<Float>,
        scratch: UnsafeMutablePointer<Float>, instructionSet: InstructionSet = .active
    ) {
        var window = g.depthwiseWindow
        pth_depthwise(
            instructionSet.isa, input, height, width, weights, scale, bias, activation.kind, &window,
            channels.lowerBound, channels.upperBound, outHeight, outWidth, output, scratch)
    }
}

extension ConvolutionGeometry {
    /// The window in the C kernel's terms.
    fileprivate var depthwiseWindow: pth_depthwise_geometry {
        pth_depthwise_geometry(
            kernel_height: kernelHeight, kernel_width: kernelWidth, stride_height: strideHeight,
            stride_width: strideWidth, pad_top: padTop, pad_bottom: padBottom, pad_left: padLeft,
            pad_right: padRight, dilation_height: dilationHeight, dilation_width: dilationWidth)
    }
}
