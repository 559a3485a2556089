/// The eight values of the TIFF (and EXIF) Orientation tag, each with the transpose PIL's
/// `ImageOps.exif_transpose` applies to show the image upright, which PIL's TIFF reader does
/// on load.
enum ImageOrientation: Int {
    case topLeft = 1
    case topRight, bottomRight, bottomLeft, leftTop, rightTop, rightBottom, leftBottom

    /// The orientation a tag value names; any other value leaves the image as stored.
    init(tag: Int) {
        self = ImageOrientation(rawValue: tag) ?? .topLeft
    }

    /// `image` turned upright: mirrored (2, 4), turned half a turn (3), transposed (5, 7) or
    /// turned a quarter (6 clockwise, 8 counter-clockwise).
    func upright(_ image: RGBImage) -> RGBImage {
        if self == .topLeft { return image }
        let width = image.width, height = image.height
        let swapsAxes = rawValue >= 5
        let outWidth = swapsAxes ? height : width, outHeight = swapsAxes ? width : height
        // Where output pixel (x, y) comes from in the stored image.
        let source: (Int, Int) -> (Int, Int)
        switch self {
        case .topLeft: source = { x, y in (x, y) }
        case .topRight: source = { x, y in (width - 1 - x, y) }
        case .bottomRight: source = { x, y in (width - 1 - x, height - 1 - y) }
        case .bottomLeft: source = { x, y in (x, height - 1 - y) }
        case .leftTop: source = { x, y in (y, x) }
        case .rightTop: source = { x, y in (y, height - 1 - x) }
        case .rightBottom: source = { x, y in (width - 1 - y, height - 1 - x) }
        case .leftBottom: source = { x, y in (width - 1 - y, x) }
        }
        var pixels = [UInt8](repeating: 0, count: image.pixels.count)
        image.pixels.withUnsafeBufferPointer { input in
            pixels.withUnsafeMutableBufferPointer { output in
                for y in 0..<outHeight {
                    for x in 0..<outWidth {
                        let (sx, sy) = source(x, y)
                        let from = 3 * (sy * width + sx), to = 3 * (y * outWidth + x)
                        output[to] = input[from]; output[to + 1] = input[from + 1]; output[to + 2] = input[from + 2]
                    }
                }
            }
        }
        return RGBImage(width: outWidth, height: outHeight, pixels: pixels)
    }
}
