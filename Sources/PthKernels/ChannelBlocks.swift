import PthFoundation

/// The zero-padded, channel-blocked copy of a batch that the Winograd kernels transform: per image,
/// `[in / 8][row][column][8]`, 8 channels of one pixel side by side, so a transform runs on 8
/// channels per SIMD vector with plain vector loads.
enum ChannelBlocks {
    /// The whole batch: `batch` images of `channels` planes (image `n` at `input + n·inputStride`)
    /// into consecutive blocks of `paddedHeight × paddedWidth × 8` floats at `padded`, image by image,
    /// the blocks cut over cores as `split` cuts them.
    static func padBatch(
        _ input: UnsafePointer<Float>, inputStride: Int, batch: Int, channels: Int, height: Int, width: Int,
        top: Int, left: Int, paddedHeight: Int, paddedWidth: Int, into padded: UnsafeMutablePointer<Float>,
        split: WorkSplit
    ) {
        let blocks = (channels + 7) / 8, blockPlane = paddedHeight * paddedWidth * 8
        let padded = UncheckedSendable(padded)
        split.forEachRange(batch * blocks) { range in
            for nb in range {
                let n = nb / blocks, first = (nb % blocks) * 8
                pad(
                    input + n * inputStride + first * height * width, channels: min(8, channels - first),
                    height: height, width: width, top: top, left: left, paddedHeight: paddedHeight,
                    paddedWidth: paddedWidth, into: padded.value + nb * blockPlane)
            }
        }
    }

    /// One 8-channel block: `channels` planes of `height × width` from `source` interleaved pixel by
    /// pixel (eight pixels of eight channels transposed in registers at a time) into a
    /// `paddedHeight × paddedWidth` block with the image `top` rows down and `left` columns in; lanes
    /// past the last channel and the border zero.
    static func pad(
        _ source: UnsafePointer<Float>, channels: Int, height: Int, width: Int, top: Int, left: Int,
        paddedHeight: Int, paddedWidth: Int, into block: UnsafeMutablePointer<Float>
    ) {
        let rowFloats = paddedWidth * 8, plane = height * width
        block.update(repeating: 0, count: top * rowFloats)
        (block + (top + height) * rowFloats).update(repeating: 0, count: (paddedHeight - top - height) * rowFloats)
        for h in 0..<height {
            let row = block + (h + top) * rowFloats, pixels = row + left * 8, line = source + h * width
            row.update(repeating: 0, count: left * 8)
            (pixels + width * 8).update(repeating: 0, count: (paddedWidth - left - width) * 8)
            @inline(__always) func channelRow(_ c: Int, _ x: Int) -> Float8 {
                c < channels ? line.load8(c * plane + x) : Float8(repeating: 0)
            }
            var x = 0
            while x + 8 <= width {
                let r = transposed(
                    channelRow(0, x), channelRow(1, x), channelRow(2, x), channelRow(3, x),
                    channelRow(4, x), channelRow(5, x), channelRow(6, x), channelRow(7, x))
                let out = pixels + x * 8
                out.store8(r.0, 0); out.store8(r.1, 8); out.store8(r.2, 16); out.store8(r.3, 24)
                out.store8(r.4, 32); out.store8(r.5, 40); out.store8(r.6, 48); out.store8(r.7, 56)
                x += 8
            }
            while x < width {
                for c in 0..<8 { pixels[x * 8 + c] = c < channels ? line[c * plane + x] : 0 }
                x += 1
            }
        }
    }

    /// The 8×8 transpose of rows `r0…r7`: result `i` holds lane `i` of every row. Three rounds of
    /// interleaving the first four rows with the last four (a perfect shuffle) transpose any 8×8.
    @inline(__always)
    private static func transposed(
        _ r0: Float8, _ r1: Float8, _ r2: Float8, _ r3: Float8,
        _ r4: Float8, _ r5: Float8, _ r6: Float8, _ r7: Float8
    )
        -> (Float8, Float8, Float8, Float8, Float8, Float8, Float8, Float8)
    {
        @inline(__always) func low(_ a: Float8, _ b: Float8) -> Float8 { Float8(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3]) }
        @inline(__always) func high(_ a: Float8, _ b: Float8) -> Float8 { Float8(a[4], b[4], a[5], b[5], a[6], b[6], a[7], b[7]) }
        var r = (r0, r1, r2, r3, r4, r5, r6, r7)
        for _ in 0..<3 {
            r = (
                low(r.0, r.4), high(r.0, r.4), low(r.1, r.5), high(r.1, r.5),
                low(r.2, r.6), high(r.2, r.6), low(r.3, r.7), high(r.3, r.7)
            )
        }
        return r
    }
}
