extension Kernels {
    /// Output rows one depthwise tile computes together: independent accumulators, so the fused
    /// multiply-adds of a narrow row (7 or 14 pixels in late layers) overlap instead of waiting on one another.
    static let depthwiseTileRows = 4

    /// Floats of scratch `depthwiseConvolution` needs: one zero-padded input plane, plus zeroed slack
    /// for the tiles that run past the last row (up to `depthwiseTileRows - 1` rows) or past a row's
    /// end (the lanes of a last partial vector).
    static func depthwiseScratchCount(height: Int, width: Int, geometry g: ConvolutionGeometry) -> Int {
        (height + g.padTop + g.padBottom + (depthwiseTileRows - 1) * g.strideHeight) * (width + g.padLeft + g.padRight) + 64
    }

    /// Direct depthwise convolution of one image (one filter per channel) with bias and activation
    /// fused. Each channel is first copied into a zero-padded plane so the window loops need no
    /// bounds checks; the output is then built in tiles of 4 rows × 16 pixels (8 accumulators, enough
    /// to keep both FMA pipes busy), then 4 rows × 8, whose rows and lanes past the plane's edge are
    /// computed on zeros and dropped. Strides other than 1 and 2 take a scalar loop. The activation runs
    /// over the finished plane while it is still in cache, in its own loop so the tap loop carries no
    /// dispatch. Only the channels in `channels` are computed, so parts of one image can run on different cores.
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
            let tile = DepthwiseTile(source: padded, filter: filter, bias: b, kh: kh, kw: kw, tapStride: dw,
                                     lineStride: dh * paddedWidth, rowStride: sh * paddedWidth, pixelStride: sw,
                                     output: out, outHeight: outHeight, outWidth: outWidth)
            if sw == 1 {
                tile.run { $0.load8($1) }
            } else if sw == 2 {
                tile.run { $0.loadEven8($1) }
            } else {
                for oh in 0..<outHeight {
                    let top = padded + oh * sh * paddedWidth
                    for ow in 0..<outWidth {
                        var sum = b
                        for i in 0..<kh {
                            let line = top + i * dh * paddedWidth + ow * sw
                            for j in 0..<kw { sum = sum.addingProduct(filter[i * kw + j], line[j * dw]) }
                        }
                        out[oh * outWidth + ow] = sum
                    }
                }
            }
            activation.apply(out, count: outHeight * outWidth)
            // Padding stays zero; only the interior is overwritten by the next channel.
        }
        }
    }
}

/// One channel's output plane of a depthwise conv, computed `Kernels.depthwiseTileRows` (4) rows at a time.
private struct DepthwiseTile {
    let source: UnsafePointer<Float>, filter: UnsafePointer<Float>, bias: Float
    let kh: Int, kw: Int
    /// Floats between horizontal taps, vertical taps, output rows and output pixels in `source`.
    let tapStride: Int, lineStride: Int, rowStride: Int, pixelStride: Int
    let output: UnsafeMutablePointer<Float>, outHeight: Int, outWidth: Int

    init(source: UnsafeMutablePointer<Float>, filter: UnsafePointer<Float>, bias: Float, kh: Int, kw: Int, tapStride: Int,
         lineStride: Int, rowStride: Int, pixelStride: Int, output: UnsafeMutablePointer<Float>, outHeight: Int, outWidth: Int) {
        self.source = UnsafePointer(source); self.filter = filter; self.bias = bias; self.kh = kh; self.kw = kw
        self.tapStride = tapStride; self.lineStride = lineStride; self.rowStride = rowStride; self.pixelStride = pixelStride
        self.output = output; self.outHeight = outHeight; self.outWidth = outWidth
    }

    /// Every tile of the plane, with `load(pointer, offset)` reading 8 output pixels' inputs
    /// (consecutive floats for stride 1, every other one for stride 2). Taps are summed in the same
    /// order for every pixel, so a pixel's value does not depend on where its tile starts.
    @inline(__always)
    func run(_ load: (UnsafePointer<Float>, Int) -> Float8) {
        let b = Float8(repeating: bias)
        for oh in stride(from: 0, to: outHeight, by: Kernels.depthwiseTileRows) {
            let top = source + oh * rowStride
            var ow = 0
            while ow < outWidth {
                var a0 = b, a1 = b, a2 = b, a3 = b
                let wide = ow + 8 < outWidth
                if wide {
                    var b0 = b, b1 = b, b2 = b, b3 = b
                    let second = 8 * pixelStride
                    for i in 0..<kh {
                        let line = top + i * lineStride + ow * pixelStride
                        for j in 0..<kw {
                            let f = Float8(repeating: filter[i * kw + j]), p = line + j * tapStride
                            a0 = a0.addingProduct(f, load(p, 0)); b0 = b0.addingProduct(f, load(p, second))
                            a1 = a1.addingProduct(f, load(p, rowStride)); b1 = b1.addingProduct(f, load(p, rowStride + second))
                            a2 = a2.addingProduct(f, load(p, 2 * rowStride)); b2 = b2.addingProduct(f, load(p, 2 * rowStride + second))
                            a3 = a3.addingProduct(f, load(p, 3 * rowStride)); b3 = b3.addingProduct(f, load(p, 3 * rowStride + second))
                        }
                    }
                    store(b0, row: oh, column: ow + 8); store(b1, row: oh + 1, column: ow + 8)
                    store(b2, row: oh + 2, column: ow + 8); store(b3, row: oh + 3, column: ow + 8)
                } else {
                    for i in 0..<kh {
                        let line = top + i * lineStride + ow * pixelStride
                        for j in 0..<kw {
                            let f = Float8(repeating: filter[i * kw + j]), p = line + j * tapStride
                            a0 = a0.addingProduct(f, load(p, 0))
                            a1 = a1.addingProduct(f, load(p, rowStride))
                            a2 = a2.addingProduct(f, load(p, 2 * rowStride))
                            a3 = a3.addingProduct(f, load(p, 3 * rowStride))
                        }
                    }
                }
                store(a0, row: oh, column: ow); store(a1, row: oh + 1, column: ow)
                store(a2, row: oh + 2, column: ow); store(a3, row: oh + 3, column: ow)
                ow += wide ? 16 : 8
            }
        }
    }

    /// Stores output row `row`'s vector at `column`, dropping it past the last row and its lanes past the row's end.
    @inline(__always)
    private func store(_ vector: Float8, row: Int, column: Int) {
        guard row < outHeight else { return }
        let destination = output + row * outWidth + column, lanes = outWidth - column
        if lanes >= 8 {
            destination.store8(vector, 0)
        } else {
            for lane in 0..<lanes { destination[lane] = vector[lane] }
        }
    }
}
