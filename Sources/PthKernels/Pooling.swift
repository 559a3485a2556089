/// Shape of a batch of feature maps as the pooling and elementwise kernels see it: image `n`
/// starts at `n·stride` floats and holds `channels` contiguous planes of `height × width`.
public struct PlaneLayout: Sendable, Equatable {
    public var channels: Int, height: Int, width: Int
    /// Floats between consecutive images (≥ channels·height·width when the image is a slice).
    public var stride: Int

    public init(channels: Int, height: Int, width: Int, stride: Int) {
        self.channels = channels; self.height = height; self.width = width; self.stride = stride
    }

    public var plane: Int { height * width }
    public var count: Int { channels * height * width }
}

extension Kernels {
    /// Calls `body` with each (image, channel) plane of `input` and the matching plane of `output`.
    @inline(__always)
    static func forEachPlane(_ input: UnsafePointer<Float>, _ source: PlaneLayout,
                             _ output: UnsafeMutablePointer<Float>, _ target: PlaneLayout, batch: Int,
                             _ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) {
        for n in 0..<batch {
            for c in 0..<source.channels {
                body(input + n * source.stride + c * source.plane, output + n * target.stride + c * target.plane)
            }
        }
    }

    /// Max pooling; padding never wins (PyTorch pads with −∞) and NaN does (as in PyTorch).
    /// Output size is the caller's (ceil mode only changes how many windows there are).
    ///
    /// Separable: each input row is first reduced over every output column's window, then output
    /// rows reduce those row results over their window, in loops over contiguous columns that
    /// vectorise (k + k comparisons per output instead of k²).
    public static func maxPool(_ input: UnsafePointer<Float>, _ source: PlaneLayout,
                               _ output: UnsafeMutablePointer<Float>, _ target: PlaneLayout,
                               batch: Int, window p: PoolingWindow) {
        @inline(__always) func larger(_ a: Float, _ b: Float) -> Float { b > a || b.isNaN ? b : a }
        separable(input, source, output, target, batch: batch, window: p, empty: -.infinity, combine: larger)
    }

    /// Average pooling with PyTorch's divisor: the window clipped to the padded input when
    /// `countIncludePad` (so a ceil-mode window hanging past the padding counts less), or clipped
    /// to the input otherwise. Separable like `maxPool`; the divisor is a row count times a column count.
    public static func avgPool(_ input: UnsafePointer<Float>, _ source: PlaneLayout,
                               _ output: UnsafeMutablePointer<Float>, _ target: PlaneLayout,
                               batch: Int, window p: PoolingWindow) {
        func counts(outputs: Int, kernel: Int, stride: Int, padBefore: Int, padAfter: Int, input: Int) -> [Float] {
            (0..<outputs).map { o in
                let start = o * stride - padBefore
                let end = min(start + kernel, input + padAfter)
                return Float(p.countIncludePad ? end - start : min(end, input) - max(start, 0))
            }
        }
        let rowCounts = counts(outputs: target.height, kernel: p.kernelHeight, stride: p.strideHeight,
                               padBefore: p.padTop, padAfter: p.padBottom, input: source.height)
        let columnCounts = counts(outputs: target.width, kernel: p.kernelWidth, stride: p.strideWidth,
                                  padBefore: p.padLeft, padAfter: p.padRight, input: source.width)
        separable(input, source, output, target, batch: batch, window: p, empty: 0, combine: +) { oh, out, width in
            let rows = rowCounts[oh]
            for ow in 0..<width { out[ow] /= rows * columnCounts[ow] }
        }
    }

    /// The two passes of a separable window reduction over every plane: `combine` over each row's
    /// column windows into a scratch plane of `source.height × target.width`, then over each output
    /// row's window of those; `finish(oh, row, width)`, if given, then adjusts each finished output row.
    @inline(__always)
    private static func separable(_ input: UnsafePointer<Float>, _ source: PlaneLayout,
                                  _ output: UnsafeMutablePointer<Float>, _ target: PlaneLayout,
                                  batch: Int, window p: PoolingWindow, empty: Float, combine: (Float, Float) -> Float,
                                  finish: ((Int, UnsafeMutablePointer<Float>, Int) -> Void)? = nil) {
        let outWidth = target.width, inWidth = source.width
        withUnsafeTemporaryAllocation(of: Float.self, capacity: max(1, source.height * outWidth)) { buffer in
            let reduced = buffer.baseAddress!
            forEachPlane(input, source, output, target, batch: batch) { plane, out in
                for h in 0..<source.height {
                    let row = plane + h * inWidth, cells = reduced + h * outWidth
                    cells.update(repeating: empty, count: outWidth)
                    for j in 0..<p.kernelWidth {
                        // Output columns whose tap j lands inside the row.
                        let offset = j - p.padLeft
                        let first = offset >= 0 ? 0 : (-offset + p.strideWidth - 1) / p.strideWidth
                        let end = inWidth - offset <= 0 ? 0 : min(outWidth, (inWidth - offset - 1) / p.strideWidth + 1)
                        var ow = first
                        while ow < end {
                            cells[ow] = combine(cells[ow], row[ow * p.strideWidth + offset])
                            ow += 1
                        }
                    }
                }
                for oh in 0..<target.height {
                    let cells = out + oh * outWidth
                    cells.update(repeating: empty, count: outWidth)
                    let top = oh * p.strideHeight - p.padTop
                    for h in max(top, 0)..<max(max(top, 0), min(top + p.kernelHeight, source.height)) {
                        let row = reduced + h * outWidth
                        for ow in 0..<outWidth { cells[ow] = combine(cells[ow], row[ow]) }
                    }
                    finish?(oh, cells, outWidth)
                }
            }
        }
    }

    /// `AdaptiveAvgPool2d`: output cell i averages input rows ⌊i·in/out⌋ ..< ⌈(i+1)·in/out⌉ (same for columns).
    public static func adaptiveAvgPool(_ input: UnsafePointer<Float>, _ source: PlaneLayout,
                                       _ output: UnsafeMutablePointer<Float>, _ target: PlaneLayout, batch: Int) {
        if target.height == 1 && target.width == 1 {
            // Global average (squeeze-excitation, classifier heads): eight running sums, then one.
            let count = source.plane
            forEachPlane(input, source, output, target, batch: batch) { plane, out in
                var lanes = Float8(repeating: 0)
                var i = 0
                while i + 8 <= count { lanes += plane.load8(i); i += 8 }
                var sum = lanes.sum()
                while i < count { sum += plane[i]; i += 1 }
                out[0] = sum / Float(count)
            }
            return
        }
        forEachPlane(input, source, output, target, batch: batch) { plane, out in
            for oh in 0..<target.height {
                let hs = oh * source.height / target.height
                let he = ((oh + 1) * source.height + target.height - 1) / target.height
                for ow in 0..<target.width {
                    let ws = ow * source.width / target.width
                    let we = ((ow + 1) * source.width + target.width - 1) / target.width
                    var sum: Float = 0
                    for h in hs..<he {
                        let row = plane + h * source.width
                        for w in ws..<we { sum += row[w] }
                    }
                    out[oh * target.width + ow] = sum / Float((he - hs) * (we - ws))
                }
            }
        }
    }
}
