/// Shape of a batch of feature maps as the pooling and elementwise kernels see it: image `n`
/// starts at `n·stride` floats and holds `channels` contiguous planes of `height × width`.
public struct PlaneLayout: Sendable, Equatable {
    /// Channels per image, and the height and width of each channel's plane.
    public var channels: Int, height: Int, width: Int
    /// Floats between consecutive images (≥ channels·height·width when the image is a slice).
    public var stride: Int

    /// A layout of `channels` planes of `height × width`, images `stride` floats apart.
    public init(channels: Int, height: Int, width: Int, stride: Int) {
        self.channels = channels; self.height = height; self.width = width; self.stride = stride
    }

    /// Floats in one plane, `height × width`.
    public var plane: Int { height * width }
    /// Floats of one image's data, `channels × height × width`.
    public var count: Int { channels * height * width }
}

extension Kernels {
    /// Calls `body` with each (image, channel) plane of `input` and the matching plane of `output`.
    @inline(__always)
    static func forEachPlane(
        _ input: UnsafePointer<Float>, _ source: PlaneLayout,
        _ output: UnsafeMutablePointer<Float>, _ target: PlaneLayout, batch: Int,
        _ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void
    ) {
        for n in 0..<batch {
            for c in 0..<source.channels {
                body(input + n * source.stride + c * source.plane, output + n * target.stride + c * target.plane)
            }
        }
    }

    /// Max pooling; padding never wins (PyTorch pads with −∞) and NaN does (as in PyTorch).
    /// Output size is the caller's (ceil mode only changes how many windows there are).
    public static func maxPool(
        _ input: UnsafePointer<Float>, _ source: PlaneLayout,
        _ output: UnsafeMutablePointer<Float>, _ target: PlaneLayout,
        batch: Int, window p: PoolingWindow
    ) {
        separable(input, source, output, target, batch: batch, window: p, reduction: MaximumReduction.self)
    }

    /// Average pooling with PyTorch's divisor: the window clipped to the padded input when
    /// `countIncludePad` (so a ceil-mode window hanging past the padding counts less), or clipped
    /// to the input otherwise. The divisor is a row count times a column count.
    public static func avgPool(
        _ input: UnsafePointer<Float>, _ source: PlaneLayout,
        _ output: UnsafeMutablePointer<Float>, _ target: PlaneLayout,
        batch: Int, window p: PoolingWindow
    ) {
        func counts(outputs: Int, kernel: Int, stride: Int, padBefore: Int, padAfter: Int, input: Int) -> [Float] {
            (0..<outputs).map { o in
                let start = o * stride - padBefore
                let end = min(start + kernel, input + padAfter)
                return Float(p.countIncludePad ? end - start : min(end, input) - max(start, 0))
            }
        }
        let rowCounts = counts(
            outputs: target.height, kernel: p.kernelHeight, stride: p.strideHeight,
            padBefore: p.padTop, padAfter: p.padBottom, input: source.height)
        let columnCounts = counts(
            outputs: target.width, kernel: p.kernelWidth, stride: p.strideWidth,
            padBefore: p.padLeft, padAfter: p.padRight, input: source.width)
        columnCounts.withUnsafeBufferPointer { columns in
            separable(
                input, source, output, target, batch: batch, window: p, reduction: SumReduction.self,
                divisors: (rowCounts, columns.baseAddress!))
        }
    }

    /// A window reduction in two passes per output row: `R.combine` over the window's input rows
    /// into a line that carries the left and right padding as `R.empty` cells, then over each output
    /// column's window of that line; with `divisors` (one count per output row, one per output
    /// column), each output is then divided by its row's count times its column's.
    ///
    /// Both passes run on eight lanes at a time (stride 2 by keeping the even lanes of 16); other
    /// column strides reduce the line one output at a time. A row that does not end on a whole vector
    /// ends with one that overlaps the one before it: each vector is computed from the input rows or
    /// the line, never from what the pass has already written, so the overlapped cells get the same
    /// values again (a row of 35 is five vectors, not four and three scalar cells).
    @inline(__always)
    private static func separable<R: WindowReduction>(
        _ input: UnsafePointer<Float>, _ source: PlaneLayout,
        _ output: UnsafeMutablePointer<Float>, _ target: PlaneLayout,
        batch: Int, window p: PoolingWindow, reduction: R.Type,
        divisors: (rows: [Float], columns: UnsafePointer<Float>)? = nil
    ) {
        let outWidth = target.width, inWidth = source.width, stride = p.strideWidth, kernel = p.kernelWidth
        // Every window of the line, plus room for a whole vector read past the last one.
        let span = max((outWidth - 1) * stride + kernel, p.padLeft + inWidth)
        let lineCount = span + 2 * 16 + kernel
        withUnsafeTemporaryAllocation(of: Float.self, capacity: lineCount) { buffer in
            let line = buffer.baseAddress!, cells = line + p.padLeft
            line.update(repeating: R.empty, count: lineCount)
            forEachPlane(input, source, output, target, batch: batch) { plane, out in
                for oh in 0..<target.height {
                    let top = oh * p.strideHeight - p.padTop
                    let first = max(top, 0), end = min(top + p.kernelHeight, source.height)
                    if first >= end {
                        cells.update(repeating: R.empty, count: inWidth)
                    } else if inWidth >= 8 {
                        var x = 0
                        while true {
                            var value = (plane + first * inWidth).load8(x)
                            for h in (first + 1)..<max(first + 1, end) { value = R.combine(value, (plane + h * inWidth).load8(x)) }
                            cells.store8(value, x)
                            if x + 8 == inWidth { break }
                            x = min(x + 8, inWidth - 8)
                        }
                    } else {
                        for x in 0..<inWidth {
                            var value = plane[first * inWidth + x]
                            for h in (first + 1)..<max(first + 1, end) { value = R.combine(value, plane[h * inWidth + x]) }
                            cells[x] = value
                        }
                    }
                    let result = out + oh * outWidth
                    @inline(__always) func finished(_ value: Float8, _ ow: Int) -> Float8 {
                        guard let divisors else { return value }
                        return value / (Float8(repeating: divisors.rows[oh]) * divisors.columns.load8(ow))
                    }
                    if outWidth >= 8 && (stride == 1 || stride == 2) {
                        var ow = 0
                        while true {
                            var value: Float8
                            if stride == 1 {
                                value = line.load8(ow)
                                for j in 1..<kernel { value = R.combine(value, line.load8(ow + j)) }
                            } else {
                                value = line.load16(2 * ow).evenHalf
                                for j in 1..<kernel { value = R.combine(value, line.load16(2 * ow + j).evenHalf) }
                            }
                            result.store8(finished(value, ow), ow)
                            if ow + 8 == outWidth { break }
                            ow = min(ow + 8, outWidth - 8)
                        }
                    } else {
                        for ow in 0..<outWidth {
                            var value = line[ow * stride]
                            for j in 1..<kernel { value = R.combine(value, line[ow * stride + j]) }
                            if let divisors { value /= divisors.rows[oh] * divisors.columns[ow] }
                            result[ow] = value
                        }
                    }
                }
            }
        }
    }

    /// `AdaptiveAvgPool2d`: output cell i averages input rows ⌊i·in/out⌋ ..< ⌈(i+1)·in/out⌉ (same for columns).
    public static func adaptiveAvgPool(
        _ input: UnsafePointer<Float>, _ source: PlaneLayout,
        _ output: UnsafeMutablePointer<Float>, _ target: PlaneLayout, batch: Int
    ) {
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
