/// Turns an image file into a network input exactly as torchvision's preset transform does
/// on the PIL image its default loader returns.
///
/// A value type with no shared state: one preprocessor may serve many threads at once.
public struct ImagePreprocessor: Sendable {
    /// The transform applied.
    public let preset: PreprocessingPreset
    /// The decoder used for files (its pixel cap applies).
    public var decoder: ImageDecoder

    /// A preprocessor for `preset`, decoding with `decoder`.
    public init(preset: PreprocessingPreset, decoder: ImageDecoder = ImageDecoder()) {
        self.preset = preset
        self.decoder = decoder
    }

    /// Height and width of the tensors produced.
    public var outputSize: (height: Int, width: Int) { (preset.cropSize, preset.cropSize) }

    /// torchvision's resize target for a `width`×`height` image: the short side becomes
    /// `resizeSize`, the long side `int(resizeSize * long / short)` (truncated, as in Python).
    public func resizedSize(width: Int, height: Int) -> (width: Int, height: Int) {
        let short = min(width, height), long = max(width, height)
        let newLong = Int(Double(preset.resizeSize * long) / Double(short))
        return width <= height ? (preset.resizeSize, newLong) : (newLong, preset.resizeSize)
    }

    /// The 8-bit image after resize and center crop: what torchvision holds just before
    /// converting to float.
    public func croppedImage(_ image: RGBImage) -> RGBImage {
        let size = resizedSize(width: image.width, height: image.height)
        let crop = preset.cropSize
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
            pixels.replaceSubrange(target..<(target + window.width * 3),
                                   with: visible.pixels[(row * window.width * 3)..<((row + 1) * window.width * 3)])
        }
        return RGBImage(width: crop, height: crop, pixels: pixels)
    }

    /// The normalized `[3, H, W]` float32 tensor (channel-major) for an image, with
    /// torchvision's operation order: `x / 255`, then `(x − mean) / std`, all in float32.
    public func tensor(for image: RGBImage) -> [Float] {
        let (height, width) = outputSize
        return [Float](unsafeUninitializedCapacity: 3 * height * width) { buffer, initialized in
            writeTensor(for: image, into: buffer)
            initialized = buffer.count
        }
    }

    /// Writes `tensor(for:)` into `destination` (3·H·W floats), e.g. one slot of a batch
    /// buffer, saving a copy per image.
    public func writeTensor(for image: RGBImage, into destination: UnsafeMutableBufferPointer<Float>) {
        let cropped = croppedImage(image)
        let plane = cropped.width * cropped.height
        precondition(destination.count == 3 * plane, "tensor slot of \(destination.count) floats for 3x\(cropped.height)x\(cropped.width)")
        cropped.pixels.withUnsafeBufferPointer { pixels in
            for channel in 0..<3 {
                let mean = preset.mean[channel], std = preset.std[channel]
                for i in 0..<plane {
                    destination[channel * plane + i] = (Float(pixels[3 * i + channel]) / 255 - mean) / std
                }
            }
        }
    }

    /// Decodes the file at `path` and returns its normalized `[3, H, W]` tensor.
    public func tensor(forImageAt path: String) throws -> [Float] {
        tensor(for: try decoder.decode(contentsOf: path))
    }
}
