extension RGBImage {
    /// PIL's `convert("L")` (ITU-R 601-2 luma, `L = R·299/1000 + G·587/1000 + B·114/1000`, in PIL's
    /// 16-bit fixed point with rounding), kept as three equal channels so the resize and crop stay the
    /// same code; a one-channel tensor then reads any one of them.
    ///
    /// Equal to `Image.open(f).convert("L")` for every mode this package decodes: PIL takes grey and
    /// palette images to L through the same formula (grey values pass unchanged) and drops alpha.
    public func grayscale() -> RGBImage {
        var out = [UInt8](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { rgb in
            out.withUnsafeMutableBufferPointer { gray in
                var i = 0
                while i < rgb.count {
                    let luma = (UInt32(rgb[i]) * 19595 + UInt32(rgb[i + 1]) * 38470 + UInt32(rgb[i + 2]) * 7471 + 0x8000) >> 16
                    let value = UInt8(truncatingIfNeeded: luma)
                    gray[i] = value; gray[i + 1] = value; gray[i + 2] = value
                    i += 3
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: out)
    }
}
