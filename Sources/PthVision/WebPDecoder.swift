import CWebP

/// WebP decoding with libwebp's animation decoder, as PIL reads every WebP file, lossy or
/// lossless, still or animated: the first frame composed on the canvas as RGBA (uncovered
/// canvas transparent black), the alpha then dropped as `convert("RGB")` drops it.
enum WebPDecoder {
    static func decode(_ bytes: [UInt8], path: String, maxPixels: Int) throws -> RGBImage {
        let decoder = UnsafeMutablePointer<pth_webp_decoder>.allocate(capacity: 1)
        defer { decoder.deallocate() }
        return try bytes.withUnsafeBufferPointer { buffer in
            defer { pth_webp_close(decoder) }
            guard pth_webp_open(decoder, buffer.baseAddress, buffer.count) == 0 else {
                throw ImageError(path: path, message: "invalid WebP: libwebp cannot parse its container (truncated or corrupt)")
            }
            let width = Int(decoder.pointee.width), height = Int(decoder.pointee.height)
            try ImageDecoder.checkSize(width: width, height: height, maxPixels: maxPixels, path: path)
            switch pth_webp_decode(decoder, buffer.baseAddress, buffer.count) {
            case 0: break
            case 1: throw ImageError(path: path, message: "invalid WebP: libwebp cannot read its frames")
            default: throw ImageError(path: path, message: "invalid WebP: the first frame does not decode (truncated or corrupt)")
            }
            let count = width * height
            let conversion = RGBConversion.rgba(bytesPerSample: 1)
            let pixels = [UInt8](unsafeUninitializedCapacity: count * 3) { output, initialized in
                conversion.convert(decoder.pointee.frame, count: count, into: output.baseAddress!)
                initialized = count * 3
            }
            return RGBImage(width: width, height: height, pixels: pixels)
        }
    }
}
