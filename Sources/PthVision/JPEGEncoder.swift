import CJPEG

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension RGBImage {
    /// The image as a baseline JPEG file at `quality` (1…100, libjpeg's scale), e.g. for a
    /// thumbnail embedded in a report.
    public func jpegData(quality: Int = 80) throws -> [UInt8] {
        guard width > 0, height > 0 else {
            throw ImageError(path: "thumbnail", message: "cannot encode an empty \(width)x\(height) image as JPEG")
        }
        let encoder = UnsafeMutablePointer<pth_jpeg_encoder>.allocate(capacity: 1)
        defer { encoder.deallocate() }
        var output: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        let status = pixels.withUnsafeBufferPointer {
            pth_jpeg_encode(encoder, $0.baseAddress, Int32(width), Int32(height), Int32(min(max(quality, 1), 100)), &output, &size)
        }
        // libjpeg's memory destination mallocs the buffer; it is ours to free whatever happened.
        defer { free(output) }
        guard status == 0, let output else {
            let reason = withUnsafePointer(to: &encoder.pointee.message) { cMessage($0) }
            throw ImageError(path: "thumbnail", message: "JPEG encoding failed: \(reason)")
        }
        return Array(UnsafeBufferPointer(start: output, count: Int(size)))
    }
}
