#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a JPEG, PNG, WebP, BMP, TIFF or GIF file into RGB exactly as PIL's
/// `Image.open(path).convert("RGB")` does, which is what torchvision's default loader feeds
/// its transforms. Of an animation (GIF, WebP, APNG) or a multi-page TIFF, the first image.
///
/// The format comes from the file's leading bytes, not its extension. A value type with no
/// shared state: one decoder may be used from many threads at once.
public struct ImageDecoder: Sendable {
    /// PIL refuses images above twice `Image.MAX_IMAGE_PIXELS` (2 × 89,478,485) as
    /// decompression bombs; the same limit by default.
    public static let defaultMaxPixels = 178_956_970

    /// Images whose header declares more pixels than this are refused before any pixel
    /// buffer is allocated, so a lying header cannot exhaust memory.
    public var maxPixels: Int

    /// A decoder refusing images larger than `maxPixels` pixels.
    public init(maxPixels: Int = ImageDecoder.defaultMaxPixels) {
        self.maxPixels = maxPixels
    }

    /// Reads and decodes the file at `path`.
    ///
    /// Only the leading bytes are read before the format is known, so a large file that is
    /// not an image is refused without being read.
    public func decode(contentsOf path: String) throws -> RGBImage {
        try decode(try ImageDecoder.readFile(path), path: path)
    }

    /// Decodes the bytes of an image file; `path` only names the source in errors.
    public func decode(_ bytes: [UInt8], path: String) throws -> RGBImage {
        switch ImageFormat(sniffing: bytes) {
        case .jpeg: return try JPEGDecoder.decode(bytes, path: path, maxPixels: maxPixels)
        case .png: return try PNGDecoder.decode(bytes, path: path, maxPixels: maxPixels)
        case .webp: return try WebPDecoder.decode(bytes, path: path, maxPixels: maxPixels)
        case .bmp: return try BMPDecoder.decode(bytes, path: path, maxPixels: maxPixels)
        case .tiff: return try TIFFDecoder.decode(bytes, path: path, maxPixels: maxPixels)
        case .gif: return try GIFDecoder.decode(bytes, path: path, maxPixels: maxPixels)
        case .unknown: throw ImageDecoder.unrecognised(bytes, path: path)
        }
    }

    /// Why a file starting with `head` is not read.
    private static func unrecognised(_ head: [UInt8], path: String) -> ImageError {
        ImageError(path: path, message: head.isEmpty ? "file is empty" : "not a JPEG, PNG, WebP, BMP, TIFF or GIF image")
    }

    /// Refuses a `width`×`height` image above the cap, before anything is allocated for it.
    static func checkSize(width: Int, height: Int, maxPixels: Int, path: String) throws {
        guard width > 0, height > 0 else {
            throw ImageError(path: path, message: "image header declares \(width)x\(height) pixels")
        }
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, pixels <= maxPixels else {
            throw ImageError(
                path: path,
                message:
                    "image is \(width)x\(height) pixels, more than the limit of \(maxPixels) (possible decompression bomb; raise the pixel limit to read it)")
        }
    }

    /// The whole file, with the system's reason when it cannot be read; refused after its
    /// first bytes if those show no supported image format.
    private static func readFile(_ path: String) throws -> [UInt8] {
        func failure() -> ImageError { ImageError(path: path, message: String(cString: strerror(errno))) }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw failure() }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw failure() }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw ImageError(path: path, message: "not a regular file") }
        let size = Int(status.st_size)
        // The signature first, so nothing is allocated for a file that is not an image.
        var head = [UInt8](repeating: 0, count: min(size, ImageFormat.signatureLength))
        var filled = try readFully(descriptor, into: &head, from: 0, path: path)
        guard ImageFormat(sniffing: Array(head[0..<filled])) != .unknown else { throw unrecognised(Array(head[0..<filled]), path: path) }
        var bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            buffer.baseAddress!.initialize(from: head, count: filled)
            initialized = size
        }
        filled = try readFully(descriptor, into: &bytes, from: filled, path: path)
        // A file that shrank while being read is read as what was there.
        bytes.removeLast(size - filled)
        return bytes
    }

    /// Reads into `buffer[start...]` until it is full or the file ends; returns the bytes filled.
    private static func readFully(_ descriptor: Int32, into buffer: inout [UInt8], from start: Int, path: String) throws -> Int {
        var filled = start
        while filled < buffer.count {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ImageError(path: path, message: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            filled += count
        }
        return filled
    }
}
