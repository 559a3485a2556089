/// What kind of image a file holds, judged from its leading bytes as PIL does (never from
/// the extension).
enum ImageFormat: Equatable {
    case jpeg
    case png
    case webp
    case bmp
    case tiff
    case gif
    /// Not an image format this package reads.
    case unknown

    /// Bytes of a file's start that `init(sniffing:)` needs to tell every format apart.
    static let signatureLength = 12

    init(sniffing bytes: [UInt8]) {
        func starts(_ prefix: [UInt8]) -> Bool { bytes.count >= prefix.count && Array(bytes[0..<prefix.count]) == prefix }
        if starts([0xFF, 0xD8, 0xFF]) {
            self = .jpeg
        } else if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            self = .png
        } else if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) {
            self = .gif
        } else if starts(Array("BM".utf8)) {
            self = .bmp
        } else if starts(Array("RIFF".utf8)) && bytes.count >= 12 && Array(bytes[8..<12]) == Array("WEBP".utf8) {
            self = .webp
        } else if starts(Array("II*\0".utf8)) || starts(Array("MM\0*".utf8)) || starts(Array("II+\0".utf8)) || starts(Array("MM\0+".utf8)) {
            // Classic TIFF (42) and BigTIFF (43), either byte order.
            self = .tiff
        } else {
            self = .unknown
        }
    }
}
