extension Kernels {
    /// Floats of scratch `depthwiseConvolution` needs: one zero-padded input plane, plus zeroed slack
    /// for the vector that finishes the last row, whose lanes past the row end read beyond the plane.
    static func depthwiseScratchCount(height: Int, width: Int, geometry g: ConvolutionGeometry) -> Int {
        (height + g.padTop + g.padBottom) * (width + g.padLeft + g.padRight) + 32
    }

    /// Direct depthwise convolution of one image (one filter per channel) with bias and activation
    /// fused. Each channel is first copied into a zero-padded plane so the window loops need no
    /// bounds checks; each output row is then built 32 pixels at a time in four independent
    /// accumulators (so fused multiply-adds overlap instead of waiting on one another), then 8 at
    /// a time, and a last partial vector whose extra lanes are dropped. The activation runs over
    /// the finished plane while it is still in cache, in its own loop so the tap loop carries no dispatch.
    /// Only the channels in `channels` are computed, so parts of one image can run on different cores.
    static func depthwiseConvolution(_ input: UnsafePointer<Float>, height: Int, width: Int,
                                     weights: UnsafePointer<Float>, scale: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                                     activation: ActivationFunction, geometry g: ConvolutionGeometry,
                                     channels: Range<Int>, outHeight: Int, outWidth: Int, output: UnsafeMutablePointer<Float>,
                                     scratch padded: UnsafeMutablePointer<Float>) {
        let kh = g.kernelHeight, kw = g.kernelWidth, taps = kh * kw
        let paddedWidth = width + g.padLeft + g.padRight
        let paddedCount = depthwiseScratchCount(height: height, width: width, geometry: g)
        let sh = g.strideHeight, sw = g.strideWidth, dh = g.dilationHeight, dw = g.dilationWidth
        padded.update(repeating: 0, count: paddedCount)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: taps) { scaled in
        let filter = UnsafePointer(scaled.baseAddress!)
        for c in channels {
            let plane = input + c * height * width
            for h in 0..<height {
                (padded + (h + g.padTop) * paddedWidth + g.padLeft).update(from: plane + h * width, count: width)
            }
            // The channel's taps times its output scale (a folded BatchNorm's factor).
            for i in 0..<taps { scaled[i] = weights[c * taps + i] * scale[c] }
            let b = bias[c]
            let out = output + c * outHeight * outWidth
            for oh in 0..<outHeight {
                let top = UnsafePointer(padded + oh * sh * paddedWidth)
                let row = out + oh * outWidth
                var ow = 0
                if sw == 1 {
                    rowVectors(top, filter: filter, bias: b, kh: kh, kw: kw, tapStride: dw, lineStride: dh * paddedWidth,
                               pixelStride: 1, row: row, width: outWidth, next: &ow) { $0.load8($1) }
                } else if sw == 2 {
                    rowVectors(top, filter: filter, bias: b, kh: kh, kw: kw, tapStride: dw, lineStride: dh * paddedWidth,
                               pixelStride: 2, row: row, width: outWidth, next: &ow) { $0.loadEven8($1) }
                }
                while ow < outWidth {
                    var sum = b
                    for i in 0..<kh {
                        let line = top + i * dh * paddedWidth + ow * sw
                        for j in 0..<kw { sum += filter[i * kw + j] * line[j * dw] }
                    }
                    row[ow] = sum
                    ow += 1
                }
            }
            activation.apply(out, count: outHeight * outWidth)
            // Padding stays zero; only the interior is overwritten by the next channel.
        }
        }
    }

    /// Builds output row `row` from `next` on with vector loads of 8 output pixels (`load(pointer,
    /// offset)`: consecutive inputs, or every other one for stride 2): 32 at a time, then 8, then one
    /// partial vector of which only the pixels inside the row are stored. Leaves `next` at `width`.
    @inline(__always)
    private static func rowVectors(_ top: UnsafePointer<Float>, filter: UnsafePointer<Float>, bias: Float, kh: Int, kw: Int,
                                   tapStride: Int, lineStride: Int, pixelStride: Int, row: UnsafeMutablePointer<Float>,
                                   width: Int, next ow: inout Int, _ load: (UnsafePointer<Float>, Int) -> Float8) {
        let b = Float8(repeating: bias)
        while ow + 32 <= width {
            var s0 = b, s1 = b, s2 = b, s3 = b
            for i in 0..<kh {
                let line = top + i * lineStride + ow * pixelStride
                for j in 0..<kw {
                    let f = Float8(repeating: filter[i * kw + j]), p = line + j * tapStride
                    s0 = s0.addingProduct(f, load(p, 0))
                    s1 = s1.addingProduct(f, load(p, 8 * pixelStride))
                    s2 = s2.addingProduct(f, load(p, 16 * pixelStride))
                    s3 = s3.addingProduct(f, load(p, 24 * pixelStride))
                }
            }
            row.store8(s0, ow); row.store8(s1, ow + 8); row.store8(s2, ow + 16); row.store8(s3, ow + 24)
            ow += 32
        }
        while ow < width {
            var sum = b
            for i in 0..<kh {
                let line = top + i * lineStride + ow * pixelStride
                for j in 0..<kw { sum = sum.addingProduct(Float8(repeating: filter[i * kw + j]), load(line + j * tapStride, 0)) }
            }
            if ow + 8 <= width {
                row.store8(sum, ow)
            } else {
                for lane in 0..<(width - ow) { row[ow + lane] = sum[lane] }
            }
            ow = min(ow + 8, width)
        }
    }
}
