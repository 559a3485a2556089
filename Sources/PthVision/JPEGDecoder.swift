import CJPEG

/// JPEG decoding with libjpeg(-turbo), configured as PIL's JPEG plugin configures it: the
/// library's default (accurate integer) IDCT and fancy upsampling, grey out as grey, three
/// components out as RGB, four as CMYK (libjpeg turns YCCK into CMYK).
enum JPEGDecoder {
    static func decode(_ bytes: [UInt8], path: String, maxPixels: Int) throws -> RGBImage {
        let decoder = UnsafeMutablePointer<pth_jpeg_decoder>.allocate(capacity: 1)
        defer { decoder.deallocate() }
        func failure() -> ImageError {
            let reason = withUnsafePointer(to: &decoder.pointee.message) { cMessage($0) }
            return ImageError(path: path, message: "invalid JPEG: \(reason)")
        }
        return try bytes.withUnsafeBufferPointer { buffer in
            defer { pth_jpeg_close(decoder) }
            guard pth_jpeg_open(decoder, buffer.baseAddress, UInt(buffer.count)) == 0 else { throw failure() }
            let width = Int(decoder.pointee.cinfo.image_width)
            let height = Int(decoder.pointee.cinfo.image_height)
            try ImageDecoder.checkSize(width: width, height: height, maxPixels: maxPixels, path: path)
            let components = Int(decoder.pointee.cinfo.num_components)
            let colorSpace: J_COLOR_SPACE
            let conversion: RGBConversion
            switch components {
            case 1: (colorSpace, conversion) = (JCS_GRAYSCALE, .gray)
            case 3: (colorSpace, conversion) = (JCS_RGB, .rgb(bytesPerSample: 1))
            case 4: (colorSpace, conversion) = (JCS_CMYK, .cmyk(inverted: true))
            default:
                throw ImageError(path: path, message: "JPEG has \(components) components; only 1 (grey), 3 (colour) or 4 (CMYK) are read")
            }
            let rowBytes = width * conversion.bytesPerPixel
            var status: Int32 = 0
            // libjpeg writes every byte (or fails), so the buffer needs no zero-filling.
            let samples = [UInt8](unsafeUninitializedCapacity: rowBytes * height) { buffer, initialized in
                status = pth_jpeg_decode(decoder, colorSpace, buffer.baseAddress, rowBytes)
                initialized = buffer.count
            }
            guard status == 0 else { throw failure() }
            return conversion.image(width: width, height: height, samples: samples)
        }
    }
}
