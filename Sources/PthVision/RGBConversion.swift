/// How decoded samples of one PIL mode become RGB under PIL's `Image.convert("RGB")` rules.
///
/// Each rule was checked against PIL itself (the fixtures under `fixtures/preprocess/` hold
/// PIL's output for every one): alpha is dropped, never composited; 16-bit colour keeps the
/// high byte, but 16-bit grey (PIL mode `I;16`) is clipped at 255 rather than scaled;
/// CMYK JPEGs are always read with Adobe's inverted polarity and converted without a
/// colour profile; 5- and 6-bit channels are scaled by `v * 255 / max`, truncated.
enum RGBConversion {
    /// 8-bit grey (`L`): the value in all three channels.
    case gray
    /// 1-, 2- or 4-bit grey, unpacked to one sample per byte: scaled to 0…255 (`1`, `L;2`, `L;4`).
    case lowBitGray(bits: Int)
    /// 16-bit big-endian grey (`I;16`): values above 255 become 255.
    case gray16
    /// Grey and alpha, 8- or 16-bit big-endian (`LA`, `LA;16B`): the grey's high byte.
    case grayAlpha(bytesPerSample: Int)
    /// RGB, 8- or 16-bit big-endian (`RGB;16B` keeps high bytes).
    case rgb(bytesPerSample: Int)
    /// RGBA, 8- or 16-bit big-endian: alpha dropped, high bytes kept.
    case rgba(bytesPerSample: Int)
    /// 8-bit palette indices (`P`); `palette` has 256 RGB entries, missing ones black.
    case palette([UInt8])
    /// 8-bit RGBA with premultiplied colour (`RGBa`): un-premultiplied as PIL unpacks it,
    /// `min(255, v * 255 / a)` truncated, black where alpha is 0.
    case premultipliedRGBA
    /// CMYK, 8-bit (TIFF), or inverted as libjpeg outputs JPEG CMYK, which PIL reads as `CMYK;I`.
    case cmyk(inverted: Bool)
    /// 8-bit channels at byte `offsets` (red, green, blue) within pixels of `bytesPerPixel`
    /// bytes, the rest ignored (`BGR`, `BGRX`, `XBGR`, `BGRA`, …).
    case channels(bytesPerPixel: Int, red: Int, green: Int, blue: Int)
    /// 16-bit little-endian pixels with 5-bit blue in the low bits, then 5 (`BGR;15`) or
    /// 6 (`BGR;16`) bits of green, then 5 of red.
    case bgr16(greenBits: Int)

    /// Bytes one pixel occupies in the decoded samples.
    var bytesPerPixel: Int {
        switch self {
        case .gray, .lowBitGray, .palette: return 1
        case .gray16: return 2
        case .grayAlpha(let bytes): return 2 * bytes
        case .rgb(let bytes): return 3 * bytes
        case .rgba(let bytes): return 4 * bytes
        case .cmyk, .premultipliedRGBA: return 4
        case .channels(let bytes, _, _, _): return bytes
        case .bgr16: return 2
        }
    }

    /// Converts `count` pixels of `samples` into `count * 3` bytes at `out`.
    func convert(_ samples: UnsafePointer<UInt8>, count: Int, into out: UnsafeMutablePointer<UInt8>) {
        switch self {
        case .gray:
            for i in 0..<count { out[3 * i] = samples[i]; out[3 * i + 1] = samples[i]; out[3 * i + 2] = samples[i] }
        case .lowBitGray(let bits):
            let scale = 255 / ((1 << bits) - 1)
            for i in 0..<count {
                let value = UInt8(truncatingIfNeeded: Int(samples[i]) * scale)
                out[3 * i] = value; out[3 * i + 1] = value; out[3 * i + 2] = value
            }
        case .gray16:
            for i in 0..<count {
                let value = samples[2 * i] == 0 ? samples[2 * i + 1] : 255
                out[3 * i] = value; out[3 * i + 1] = value; out[3 * i + 2] = value
            }
        case .grayAlpha(let bytes):
            for i in 0..<count {
                let value = samples[2 * bytes * i]
                out[3 * i] = value; out[3 * i + 1] = value; out[3 * i + 2] = value
            }
        case .rgb(let bytes):
            for i in 0..<count {
                for channel in 0..<3 { out[3 * i + channel] = samples[(3 * i + channel) * bytes] }
            }
        case .rgba(let bytes):
            for i in 0..<count {
                for channel in 0..<3 { out[3 * i + channel] = samples[(4 * i + channel) * bytes] }
            }
        case .palette(let palette):
            palette.withUnsafeBufferPointer { table in
                for i in 0..<count {
                    let entry = 3 * Int(samples[i])
                    out[3 * i] = table[entry]; out[3 * i + 1] = table[entry + 1]; out[3 * i + 2] = table[entry + 2]
                }
            }
        case .premultipliedRGBA:
            for i in 0..<count {
                let alpha = Int(samples[4 * i + 3])
                for channel in 0..<3 {
                    out[3 * i + channel] = alpha == 0 ? 0 : UInt8(min(255, Int(samples[4 * i + channel]) * 255 / alpha))
                }
            }
        case .cmyk(let inverted):
            // cmyk2rgb: nk - nk·ink/255 with PIL's rounded fixed-point division by 255, after
            // un-inverting inverted samples.
            let flip = inverted ? 0 : 255
            for i in 0..<count {
                let nk = Int(samples[4 * i + 3]) ^ flip
                for channel in 0..<3 {
                    let ink = 255 - (Int(samples[4 * i + channel]) ^ flip)
                    let product = ink * nk + 128
                    let value = nk - (((product >> 8) + product) >> 8)
                    out[3 * i + channel] = UInt8(clamping: value)
                }
            }
        case .channels(let bytes, let red, let green, let blue):
            for i in 0..<count {
                out[3 * i] = samples[bytes * i + red]; out[3 * i + 1] = samples[bytes * i + green]; out[3 * i + 2] = samples[bytes * i + blue]
            }
        case .bgr16(let greenBits):
            let greenMax = (1 << greenBits) - 1
            for i in 0..<count {
                let pixel = Int(samples[2 * i]) | Int(samples[2 * i + 1]) << 8
                out[3 * i] = UInt8((pixel >> (5 + greenBits) & 31) * 255 / 31)
                out[3 * i + 1] = UInt8((pixel >> 5 & greenMax) * 255 / greenMax)
                out[3 * i + 2] = UInt8((pixel & 31) * 255 / 31)
            }
        }
    }

    /// Converts a whole image's samples (`width * height` pixels, no row padding) to RGB.
    func image(width: Int, height: Int, samples: [UInt8]) -> RGBImage {
        if case .rgb(bytesPerSample: 1) = self {
            return RGBImage(width: width, height: height, pixels: samples)
        }
        let count = width * height
        let pixels = [UInt8](unsafeUninitializedCapacity: count * 3) { output, initialized in
            samples.withUnsafeBufferPointer { input in
                convert(input.baseAddress!, count: count, into: output.baseAddress!)
            }
            initialized = count * 3
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }
}
