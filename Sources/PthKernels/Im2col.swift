extension Kernels {
    /// Unfolds one image into rows `rows` of the column matrix a convolution GEMM multiplies, for the
    /// output rows `outRows`: row `(c·kh + i)·kw + j` (channel `c` of `input`'s planes of
    /// `height × width`), column `(oh − outRows.lowerBound)·outWidth + ow`, holds the input pixel under
    /// kernel tap (i, j) for output (oh, ow), or 0 in the padding. Row `r` is written at
    /// `columns + r·rowStride` (default stride: a row's length), so several images' columns can sit
    /// side by side in one matrix and several calls can fill disjoint rows of it.
    static func im2col(
        _ input: UnsafePointer<Float>, height: Int, width: Int, geometry g: ConvolutionGeometry,
        rows: Range<Int>, outRows: Range<Int>, outWidth: Int,
        into columns: UnsafeMutablePointer<Float>, rowStride: Int? = nil
    ) {
        let rowStride = rowStride ?? outRows.count * outWidth
        let window = g.kernelHeight * g.kernelWidth
        for r in rows {
            let c = r / window, i = r % window / g.kernelWidth, j = r % g.kernelWidth
            let plane = input + c * height * width, row = columns + r * rowStride
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
                    var ow = owStart
                    if g.strideWidth == 2 {
                        // Eight outputs from the even lanes of sixteen inputs, while all sixteen lie
                        // inside the input row.
                        while ow + 8 <= owEnd && dx + 2 * ow + 16 <= width {
                            out.store8(source.load16(2 * ow).evenHalf, ow)
                            ow += 8
                        }
                    }
                    while ow < owEnd {
                        out[ow] = source[ow * g.strideWidth]
                        ow += 1
                    }
                }
                if owEnd < outWidth { (out + owEnd).update(repeating: 0, count: outWidth - owEnd) }
            }
        }
    }
}
