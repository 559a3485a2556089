extension RGBImage {
    /// PIL's `Image.resize((width, height), filter)` on an 8-bit RGB image, bit for bit:
    /// a horizontal then a vertical pass of fixed-point taps, each rounding to 8 bits.
    public func resized(width: Int, height: Int, filter: Interpolation) -> RGBImage {
        resized(width: width, height: height, filter: filter, window: PixelWindow(x: 0, y: 0, width: width, height: height))
    }

    /// The `window` part of `resized(width:height:filter:)`, computing only those pixels.
    ///
    /// Every output pixel depends only on its own taps, so cropping after resizing equals
    /// resizing just the window; a center crop skips most of the work this way.
    func resized(width: Int, height: Int, filter: Interpolation, window: PixelWindow) -> RGBImage {
        precondition(
            width > 0 && height > 0 && window.x >= 0 && window.y >= 0
                && window.x + window.width <= width && window.y + window.height <= height,
            "resize window \(window) outside \(width)x\(height)")
        if window.width == 0 || window.height == 0 {
            return RGBImage(width: window.width, height: window.height, pixels: [])
        }
        if filter == .nearest { return nearestResized(width: width, height: height, window: window) }
        // Like Pillow, a pass whose size does not change is skipped (it would be the identity).
        let columns = window.x..<(window.x + window.width)
        guard height != self.height else {
            return resampledRows(window.y..<(window.y + window.height), columns: columns, width: width, filter: filter)
        }
        let vertical = ResampleWeights(inSize: self.height, outSize: height, filter: filter)
        // Only the input rows the window's output rows read go through the horizontal pass.
        let lastRow = window.y + window.height - 1
        let firstInput = vertical.first[window.y]
        let inputEnd = vertical.first[lastRow] + vertical.count[lastRow]
        return resampledRows(firstInput..<inputEnd, columns: columns, width: width, filter: filter)
            .resampledColumns(window.y..<(window.y + window.height), weights: vertical, rowOffset: firstInput)
    }

    /// Horizontal pass: `rows` of this image resized to `width`, keeping only `columns`.
    private func resampledRows(_ rows: Range<Int>, columns: Range<Int>, width: Int, filter: Interpolation) -> RGBImage {
        if width == self.width && columns == 0..<width {
            return RGBImage(width: width, height: rows.count, pixels: Array(pixels[(rows.lowerBound * width * 3)..<(rows.upperBound * width * 3)]))
        }
        var out = [UInt8](repeating: 0, count: rows.count * columns.count * 3)
        if width == self.width {
            for (row, y) in rows.enumerated() {
                let start = (y * width + columns.lowerBound) * 3
                out.replaceSubrange((row * columns.count * 3)..<((row + 1) * columns.count * 3), with: pixels[start..<(start + columns.count * 3)])
            }
            return RGBImage(width: columns.count, height: rows.count, pixels: out)
        }
        let weights = ResampleWeights(inSize: self.width, outSize: width, filter: filter)
        let half = Int32(1 << (ResampleWeights.precisionBits - 1))
        let inWidth = self.width
        pixels.withUnsafeBufferPointer { input in
            weights.taps.withUnsafeBufferPointer { taps in
                out.withUnsafeMutableBufferPointer { output in
                    var o = 0
                    for y in rows {
                        let row = input.baseAddress! + y * inWidth * 3
                        for x in columns {
                            let first = weights.first[x], count = weights.count[x]
                            let k = taps.baseAddress! + x * weights.stride
                            var r = half, g = half, b = half
                            var p = row + first * 3
                            for t in 0..<count {
                                let w = k[t]
                                r &+= Int32(p[0]) &* w
                                g &+= Int32(p[1]) &* w
                                b &+= Int32(p[2]) &* w
                                p += 3
                            }
                            output[o] = clip8(r); output[o + 1] = clip8(g); output[o + 2] = clip8(b)
                            o += 3
                        }
                    }
                }
            }
        }
        return RGBImage(width: columns.count, height: rows.count, pixels: out)
    }

    /// Vertical pass: output `rows` from this image, whose row 0 is input row `rowOffset`.
    private func resampledColumns(_ rows: Range<Int>, weights: ResampleWeights, rowOffset: Int) -> RGBImage {
        let rowBytes = width * 3
        var out = [UInt8](repeating: 0, count: rows.count * rowBytes)
        var sums = [Int32](repeating: 0, count: rowBytes)
        let half = Int32(1 << (ResampleWeights.precisionBits - 1))
        pixels.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                sums.withUnsafeMutableBufferPointer { sums in
                    for (row, y) in rows.enumerated() {
                        for i in 0..<rowBytes { sums[i] = half }
                        // Integer sums are exact, so accumulating tap by tap across the row
                        // gives Pillow's per-pixel results.
                        for t in 0..<weights.count[y] {
                            let w = weights.taps[y * weights.stride + t]
                            let line = input.baseAddress! + (weights.first[y] - rowOffset + t) * rowBytes
                            for i in 0..<rowBytes { sums[i] &+= Int32(line[i]) &* w }
                        }
                        let target = output.baseAddress! + row * rowBytes
                        for i in 0..<rowBytes { target[i] = clip8(sums[i]) }
                    }
                }
            }
        }
        return RGBImage(width: width, height: rows.count, pixels: out)
    }
}

extension RGBImage {
    /// PIL's nearest-neighbour resize (an affine scale): output pixel `i` takes input pixel
    /// `int(scale/2 + i·scale)`, the position accumulated by repeated addition in double precision
    /// exactly as Pillow does, so rounding lands on the same pixels.
    private func nearestResized(width: Int, height: Int, window: PixelWindow) -> RGBImage {
        func positions(inSize: Int, outSize: Int, range: Range<Int>) -> [Int] {
            let scale = Double(inSize) / Double(outSize)
            var position = scale * 0.5
            var taken = [Int]()
            taken.reserveCapacity(range.count)
            for i in 0..<range.upperBound {
                if i >= range.lowerBound { taken.append(min(Int(position), inSize - 1)) }
                position += scale
            }
            return taken
        }
        let columns = positions(inSize: self.width, outSize: width, range: window.x..<(window.x + window.width))
        let rows = positions(inSize: self.height, outSize: height, range: window.y..<(window.y + window.height))
        var out = [UInt8](repeating: 0, count: rows.count * columns.count * 3)
        var o = 0
        for y in rows {
            for x in columns {
                let i = (y * self.width + x) * 3
                out[o] = pixels[i]; out[o + 1] = pixels[i + 1]; out[o + 2] = pixels[i + 2]
                o += 3
            }
        }
        return RGBImage(width: columns.count, height: rows.count, pixels: out)
    }
}

/// Pillow's `clip8`: drop the fraction bits, clamp to 0…255.
@inline(__always)
private func clip8(_ value: Int32) -> UInt8 {
    let shifted = value >> Int32(ResampleWeights.precisionBits)
    return shifted <= 0 ? 0 : shifted >= 255 ? 255 : UInt8(truncatingIfNeeded: shifted)
}

/// A rectangle of pixels: `width`×`height` starting at column `x`, row `y`.
public struct PixelWindow: Sendable, Equatable, CustomStringConvertible {
    /// First column, counted from the left edge.
    public var x: Int
    /// First row, counted from the top edge.
    public var y: Int
    /// Columns in the window.
    public var width: Int
    /// Rows in the window.
    public var height: Int

    /// The rectangle at (`x`, `y`) of `width`×`height`.
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// `WxH at (x, y)`.
    public var description: String { "\(width)x\(height) at (\(x), \(y))" }
}
