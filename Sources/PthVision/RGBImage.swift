/// An 8-bit RGB image: rows top to bottom, each pixel's R, G, B bytes interleaved.
///
/// This is what PIL calls mode "RGB" and what torchvision's default loader hands to the
/// transforms (`Image.open(f).convert("RGB")`).
public struct RGBImage: Sendable, Equatable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// `width * height * 3` bytes, row-major, R G B per pixel.
    public var pixels: [UInt8]

    /// Wraps `pixels`, which must hold exactly `width * height * 3` bytes.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(
            width >= 0 && height >= 0 && pixels.count == width * height * 3,
            "RGBImage \(width)x\(height) given \(pixels.count) bytes")
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}
