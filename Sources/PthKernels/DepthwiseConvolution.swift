extension Kernels {
    /// Floats of scratch `depthwiseConvolution` needs: one zero-padded input plane, plus slack for
    /// the stride-2 path's 16-float loads at the end of the last row.
    static func depthwiseScratchCount(height: Int, width: Int, geometry g: ConvolutionGeometry) -> Int {
        (height + g.padTop + g.padBottom) * (width + g.padLeft + g.padRight) + 16
    }

    /// Direct depthwise convolution of one image (one filter per channel) with bias and activation
    /// fused. Each channel is first copied into a zero-padded plane so the window loops need no
    /// bounds checks; each output row is then built 8 pixels at a time with every kernel tap
    /// accumulated in registers.
    static func depthwiseConvolution(_ input: UnsafePointer<Float>, height: Int, width: Int,
                                     weights: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                                     activation: ActivationFunction, geometry g: ConvolutionGeometry,
                                     outHeight: Int, outWidth: Int, output: UnsafeMutablePointer<Float>,
                                     scratch padded: UnsafeMutablePointer<Float>) {
        let kh = g.kernelHeight, kw = g.kernelWidth, taps = kh * kw
        let paddedWidth = width + g.padLeft + g.padRight
        let paddedCount = depthwiseScratchCount(height: height, width: width, geometry: g)
        let sh = g.strideHeight, sw = g.strideWidth, dh = g.dilationHeight, dw = g.dilationWidth
        padded.update(repeating: 0, count: paddedCount)
        for c in 0..<g.inChannels {
            let plane = input + c * height * width
            for h in 0..<height {
                (padded + (h + g.padTop) * paddedWidth + g.padLeft).update(from: plane + h * width, count: width)
            }
            let filter = weights + c * taps
            let b = bias[c]
            let out = output + c * outHeight * outWidth
            for oh in 0..<outHeight {
                let top = UnsafePointer(padded + oh * sh * paddedWidth)
                let row = out + oh * outWidth
                var ow = 0
                if sw == 1 {
                    while ow + 8 <= outWidth {
                        var sum = Float8(repeating: b)
                        for i in 0..<kh {
                            let line = top + i * dh * paddedWidth + ow
                            for j in 0..<kw { sum += Float8(repeating: filter[i * kw + j]) * line.load8(j * dw) }
                        }
                        row.store8(activation.apply(sum), ow)
                        ow += 8
                    }
                } else if sw == 2 {
                    while ow + 8 <= outWidth {
                        var sum = Float8(repeating: b)
                        for i in 0..<kh {
                            let line = top + i * dh * paddedWidth + 2 * ow
                            for j in 0..<kw { sum += Float8(repeating: filter[i * kw + j]) * line.loadEven8(j * dw) }
                        }
                        row.store8(activation.apply(sum), ow)
                        ow += 8
                    }
                }
                while ow < outWidth {
                    var sum = b
                    for i in 0..<kh {
                        let line = top + i * dh * paddedWidth + ow * sw
                        for j in 0..<kw { sum += filter[i * kw + j] * line[j * dw] }
                    }
                    row[ow] = activation.apply(sum)
                    ow += 1
                }
            }
            // Padding stays zero; only the interior is overwritten by the next channel.
        }
    }
}
