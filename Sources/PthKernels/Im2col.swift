extension Kernels {
    /// Unfolds `channels` planes of one image into the column matrix a convolution GEMM multiplies,
    /// for the output rows `outRows`: row `(c·kh + i)·kw + j`, column `(oh − outRows.lowerBound)·outWidth + ow`
    /// holds the input pixel under kernel tap (i, j) for output (oh, ow), or 0 in the padding.
    /// Rows are `rowStride` floats apart (default: their length), so several images' columns can
    /// sit side by side in one matrix.
    static func im2col(
        _ input: UnsafePointer<Float>, channels: Int, height: Int, width: Int,
        geometry g: ConvolutionGeometry, outRows: Range<Int>, outWidth: Int,
        into columns: UnsafeMutablePointer<Float>, rowStride: Int? = nil
    ) {
        let rowStride = rowStride ?? outRows.count * outWidth
        var row = columns
        for c in 0..<channels {
            let plane = input + c * height * width
            for i in 0..<g.kernelHeight {
                for j in 0..<g.kernelWidth {
                    let dx = j * g.dilationWidth - g.padLeft
                    // Output columns whose input column lies inside the image.
                    let owStart = dx >= 0 ? 0 : min(outWidth, (-dx + g.strideWidth - 1) / g.strideWidth)
                    let owEnd = width - dx <= 0 ? 0 : min(outWidth, (width - dx - 1) / g.strideWidth + 1)
                    for oh in outRows {
                        let out = row + (oh - outRows.lowerBound) * outWidth
                        let ih = oh * g.strideHeight + i * g.dilationHeight - g.padTop
                        if ih < 0 || ih >= height || owStart >= owEnd {
                            out.update(repeating: 0, count: outWidth)
                            continue
                        }
                        if owStart > 0 { out.update(repeating: 0, count: owStart) }
                        let source = plane + ih * width + dx
                        if g.strideWidth == 1 {
                            (out + owStart).update(from: source + owStart, count: owEnd - owStart)
                        } else {
                            for ow in owStart..<owEnd { out[ow] = source[ow * g.strideWidth] }
                        }
                        if owEnd < outWidth { (out + owEnd).update(repeating: 0, count: outWidth - owEnd) }
                    }
                    row += rowStride
                }
            }
        }
    }
}
