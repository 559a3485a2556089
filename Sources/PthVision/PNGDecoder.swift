import CPNG

/// PNG decoding with libpng, every bit depth and colour type, de-interlaced; the samples are
/// turned into RGB by PIL's rules for the mode PIL would open the file as.
enum PNGDecoder {
    static func decode(_ bytes: [UInt8], path: String, maxPixels: Int) throws -> RGBImage {
        let decoder = UnsafeMutablePointer<pth_png_decoder>.allocate(capacity: 1)
        defer { decoder.deallocate() }
        func failure() -> ImageError {
            let reason = withUnsafePointer(to: &decoder.pointee.message) { cMessage($0) }
            return ImageError(path: path, message: "invalid PNG: \(reason)")
        }
        return try bytes.withUnsafeBufferPointer { buffer in
            defer { pth_png_close(decoder) }
            guard pth_png_open(decoder, buffer.baseAddress, buffer.count) == 0 else { throw failure() }
            let png = decoder.pointee.png, info = decoder.pointee.info
            let width = Int(png_get_image_width(png, info))
            let height = Int(png_get_image_height(png, info))
            try ImageDecoder.checkSize(width: width, height: height, maxPixels: maxPixels, path: path)
            let depth = Int(png_get_bit_depth(png, info))
            let conversion = try conversionFor(colorType: Int32(png_get_color_type(png, info)), depth: depth, decoder: decoder, path: path)
            guard pth_png_prepare(decoder) == 0 else { throw failure() }
            let rowBytes = Int(png_get_rowbytes(png, info))
            guard rowBytes == width * conversion.bytesPerPixel else {
                throw ImageError(path: path, message: "invalid PNG: libpng rows of \(rowBytes) bytes for \(width) pixels of \(conversion.bytesPerPixel) bytes")
            }
            var samples = [UInt8](repeating: 0, count: rowBytes * height)
            let status = samples.withUnsafeMutableBufferPointer { storage -> Int32 in
                var rows: [UnsafeMutablePointer<UInt8>?] = (0..<height).map { storage.baseAddress! + $0 * rowBytes }
                return rows.withUnsafeMutableBufferPointer { pth_png_read(decoder, $0.baseAddress) }
            }
            guard status == 0 else { throw failure() }
            return conversion.image(width: width, height: height, samples: samples)
        }
    }

    /// PIL's mode for each PNG colour type and depth (its `_MODES` table), as a conversion to RGB.
    private static func conversionFor(colorType: Int32, depth: Int, decoder: UnsafeMutablePointer<pth_png_decoder>, path: String) throws -> RGBConversion {
        let bytesPerSample = depth == 16 ? 2 : 1
        switch colorType {
        case PNG_COLOR_TYPE_GRAY:
            switch depth {
            case 8: return .gray
            case 16: return .gray16
            default: return .lowBitGray(bits: depth)
            }
        case PNG_COLOR_TYPE_GRAY_ALPHA: return .grayAlpha(bytesPerSample: bytesPerSample)
        case PNG_COLOR_TYPE_RGB: return .rgb(bytesPerSample: bytesPerSample)
        case PNG_COLOR_TYPE_RGB_ALPHA: return .rgba(bytesPerSample: bytesPerSample)
        case PNG_COLOR_TYPE_PALETTE:
            var entries: png_colorp?
            var count: Int32 = 0
            guard png_get_PLTE(decoder.pointee.png, decoder.pointee.info, &entries, &count) != 0, let entries else {
                throw ImageError(path: path, message: "invalid PNG: palette image without a PLTE chunk")
            }
            // Indices past the palette's end read as black, as in PIL.
            var palette = [UInt8](repeating: 0, count: 256 * 3)
            for index in 0..<min(Int(count), 256) {
                palette[3 * index] = entries[index].red
                palette[3 * index + 1] = entries[index].green
                palette[3 * index + 2] = entries[index].blue
            }
            return .palette(palette)
        default:
            throw ImageError(path: path, message: "invalid PNG: colour type \(colorType)")
        }
    }
}
