extension Kernels {
    /// Direct depthwise convolution of one image (one filter per channel), accumulating kernel taps
    /// row by row so the innermost loop runs over contiguous output pixels.
    static func depthwiseConvolution(_ input: UnsafePointer<Float>, height: Int, width: Int,
                                     weights: UnsafePointer<Float>, geometry g: ConvolutionGeometry,
                                     outHeight: Int, outWidth: Int, output: UnsafeMutablePointer<Float>) {
        let taps = g.kernelHeight * g.kernelWidth
        for c in 0..<g.inChannels {
            let plane = input + c * height * width
            let filter = weights + c * taps
            let out = output + c * outHeight * outWidth
            out.update(repeating: 0, count: outHeight * outWidth)
            for j in 0..<g.kernelWidth {
                let dx = j * g.dilationWidth - g.padLeft
                let owStart = dx >= 0 ? 0 : min(outWidth, (-dx + g.strideWidth - 1) / g.strideWidth)
                let owEnd = width - dx <= 0 ? 0 : min(outWidth, (width - dx - 1) / g.strideWidth + 1)
                if owStart >= owEnd { continue }
                for oh in 0..<outHeight {
                    let row = out + oh * outWidth
                    for i in 0..<g.kernelHeight {
                        let ih = oh * g.strideHeight + i * g.dilationHeight - g.padTop
                        if ih < 0 || ih >= height { continue }
                        let w = filter[i * g.kernelWidth + j]
                        let source = plane + ih * width + dx
                        if g.strideWidth == 1 {
                            for ow in owStart..<owEnd { row[ow] += w * source[ow] }
                        } else {
                            for ow in owStart..<owEnd { row[ow] += w * source[ow * g.strideWidth] }
                        }
                    }
                }
            }
        }
    }
}
