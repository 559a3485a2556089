import CGIF

/// GIF decoding with giflib: the first frame, as PIL shows it. The canvas is the logical screen,
/// grown to hold the frame if the frame reaches past it; pixels outside the frame take the
/// frame's transparent index if it has one, else index 0. The frame's local colour table wins
/// over the global one; a table that is the identity grey ramp is ignored (PIL then reads the
/// indices as grey levels, mode `L`), and indices past a table's end are black.
enum GIFDecoder {
    static func decode(_ bytes: [UInt8], path: String, maxPixels: Int) throws -> RGBImage {
        let decoder = UnsafeMutablePointer<pth_gif_decoder>.allocate(capacity: 1)
        defer { decoder.deallocate() }
        func failure() -> ImageError {
            // Reading from memory fails only where the file ends.
            let code = decoder.pointee.error
            let reason =
                code == D_GIF_ERR_READ_FAILED
                ? "file is truncated"
                : GifErrorString(code).map { String(cString: $0) } ?? "giflib error \(code)"
            return ImageError(path: path, message: "invalid GIF: \(reason)")
        }
        return try bytes.withUnsafeBufferPointer { buffer in
            defer { pth_gif_close(decoder) }
            guard pth_gif_open(decoder, buffer.baseAddress, buffer.count) == 0 else { throw failure() }
            var transparency: Int32 = -1
            switch pth_gif_first_image(decoder, &transparency) {
            case 0: break
            case 2: throw ImageError(path: path, message: "invalid GIF: no image before the end of the file")
            default: throw failure()
            }
            let gif = decoder.pointee.gif!
            let frame = gif.pointee.Image
            let left = Int(frame.Left), top = Int(frame.Top), frameWidth = Int(frame.Width), frameHeight = Int(frame.Height)
            guard frameWidth > 0, frameHeight > 0 else {
                throw ImageError(path: path, message: "invalid GIF: the first frame is \(frameWidth)x\(frameHeight) pixels (PIL refuses it too)")
            }
            let width = max(Int(gif.pointee.SWidth), left + frameWidth)
            let height = max(Int(gif.pointee.SHeight), top + frameHeight)
            try ImageDecoder.checkSize(width: width, height: height, maxPixels: maxPixels, path: path)
            let conversion = RGBConversion.palette(palette(frame.ColorMap ?? gif.pointee.SColorMap))
            var indices = [UInt8](repeating: transparency >= 0 ? UInt8(transparency) : 0, count: width * height)
            try indices.withUnsafeMutableBufferPointer { canvas in
                for row in rowOrder(height: frameHeight, interlaced: frame.Interlace) {
                    guard pth_gif_read_row(decoder, canvas.baseAddress! + (top + row) * width + left, Int32(frameWidth)) == 0 else {
                        throw failure()
                    }
                }
            }
            return conversion.image(width: width, height: height, samples: indices)
        }
    }

    /// The 256-entry RGB table PIL converts the indices with: the colour table, black past its
    /// end; the identity grey ramp when there is no table or the table is that ramp itself.
    private static func palette(_ map: UnsafeMutablePointer<ColorMapObject>?) -> [UInt8] {
        var table = (0..<256).flatMap { [UInt8($0), UInt8($0), UInt8($0)] }
        guard let map, let colors = map.pointee.Colors else { return table }
        let count = min(Int(map.pointee.ColorCount), 256)
        let isGreyRamp = (0..<count).allSatisfy { colors[$0].Red == UInt8($0) && colors[$0].Green == UInt8($0) && colors[$0].Blue == UInt8($0) }
        if isGreyRamp { return table }
        table = [UInt8](repeating: 0, count: 256 * 3)
        for index in 0..<count {
            table[3 * index] = colors[index].Red
            table[3 * index + 1] = colors[index].Green
            table[3 * index + 2] = colors[index].Blue
        }
        return table
    }

    /// The frame rows in the order the file stores them: top to bottom, or the four interlace
    /// passes (every 8th row from 0, every 8th from 4, every 4th from 2, every 2nd from 1).
    private static func rowOrder(height: Int, interlaced: Bool) -> [Int] {
        guard interlaced else { return Array(0..<height) }
        return [(0, 8), (4, 8), (2, 4), (1, 2)].flatMap { start, step in Array(stride(from: start, to: height, by: step)) }
    }
}
