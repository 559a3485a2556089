/// Turns an image file into a network input exactly as torchvision's preset transform does
/// on the PIL image its default loader returns.
///
/// A value type with no shared state: one preprocessor may serve many threads at once.
public struct ImagePreprocessor: Sendable {
    /// The transform applied.
    public let preset: PreprocessingPreset
    /// The decoder used for files (its pixel cap applies).
    public var decoder: ImageDecoder

    /// A preprocessor for `preset`, decoding with `decoder`; `preset.problem` must be nil.
    public init(preset: PreprocessingPreset, decoder: ImageDecoder = ImageDecoder()) {
        precondition(preset.problem == nil, "preset \(preset.model): \(preset.problem ?? "")")
        self.preset = preset
        self.decoder = decoder
    }

    /// Height and width of the tensors produced.
    public var outputSize: (height: Int, width: Int) { preset.outputSize! }

    /// Channels of the tensors produced (1 for grayscale networks, else 3).
    public var channels: Int { preset.color.channels }

    /// Floats in one image's tensor.
    public var tensorCount: Int { channels * outputSize.height * outputSize.width }

    /// torchvision's resize target for a `width`×`height` image: for a short-side resize the short side
    /// becomes the size, the long side `int(size * long / short)` (truncated, as in Python).
    public func resizedSize(width: Int, height: Int) -> (width: Int, height: Int) {
        switch preset.resize {
        case .exact(let height, let width):
            return (width, height)
        case .shortSide(let side):
            let short = min(width, height), long = max(width, height)
            let newLong = Int(Double(side * long) / Double(short))
            return width <= height ? (side, newLong) : (newLong, side)
        }
    }

    /// The 8-bit image after colour conversion, resize and center crop: what torchvision holds just
    /// before converting to float (a grayscale image as three equal channels).
    public func croppedImage(_ image: RGBImage) -> RGBImage {
        let image = preset.color == .rgb ? image : image.grayscale()
        let size = resizedSize(width: image.width, height: image.height)
        guard let crop = preset.cropSize else {
            return image.resized(width: size.width, height: size.height, filter: preset.interpolation)
        }
        let origin = CenterCrop(width: size.width, height: size.height, cropWidth: crop, cropHeight: crop)
        // The part of the crop that lies on the resized image; the rest is zero padding.
        let left = max(origin.x, 0), top = max(origin.y, 0)
        let right = min(origin.x + crop, size.width), bottom = min(origin.y + crop, size.height)
        let window = PixelWindow(x: left, y: top, width: right - left, height: bottom - top)
        let visible = image.resized(width: size.width, height: size.height, filter: preset.interpolation, window: window)
        if window.width == crop && window.height == crop { return visible }
        var pixels = [UInt8](repeating: 0, count: crop * crop * 3)
        for row in 0..<window.height {
            let target = ((top - origin.y + row) * crop + (left - origin.x)) * 3
            pixels.replaceSubrange(
                target..<(target + window.width * 3),
                with: visible.pixels[(row * window.width * 3)..<((row + 1) * window.width * 3)])
        }
        return RGBImage(width: crop, height: crop, pixels: pixels)
    }

    /// The normalized `[C, H, W]` float32 tensor (channel-major) for an image, with
    /// torchvision's operation order: `x / 255`, then `(x − mean) / std`, all in float32.
    public func tensor(for image: RGBImage) -> [Float] {
        [Float](unsafeUninitializedCapacity: tensorCount) { buffer, initialized in
            writeTensor(for: image, into: buffer)
            initialized = buffer.count
        }
    }

    /// Writes `tensor(for:)` into `destination` (`tensorCount` floats), e.g. one slot of a batch
    /// buffer, saving a copy per image.
    public func writeTensor(for image: RGBImage, into destination: UnsafeMutableBufferPointer<Float>) {
        let cropped = croppedImage(image)
        let plane = cropped.width * cropped.height
        precondition(
            destination.count == channels * plane,
            "tensor slot of \(destination.count) floats for \(channels)x\(cropped.height)x\(cropped.width)")
        cropped.pixels.withUnsafeBufferPointer { pixels in
            for channel in 0..<channels {
                let (mean, std) = preset.normalization(channel: channel)
                for i in 0..<plane {
                    destination[channel * plane + i] = (Float(pixels[3 * i + channel]) / 255 - mean) / std
                }
            }
        }
    }

    /// Decodes the file at `path` and returns its normalized `[C, H, W]` tensor.
    public func tensor(forImageAt path: String) throws -> [Float] {
        tensor(for: try decoder.decode(contentsOf: path))
    }
}
