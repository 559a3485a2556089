/// How decoded samples of one PIL mode become RGB under PIL's `Image.convert("RGB")` rules.
///
/// Each rule was checked against PIL itself (the fixtures under `fixtures/preprocess/` hold
/// PIL's output for every one): alpha is dropped, never composited; 16-bit colour keeps the
/// high byte, but 16-bit grey (PIL mode `I;16`) is clipped at 255 rather than scaled;
/// CMYK JPEGs are always read with Adobe's inverted polarity and converted without a
/// colour profile.
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
    /// JPEG CMYK as libjpeg outputs it, which PIL reads as `CMYK;I` (inverted).
    case invertedCMYK

    /// Bytes one pixel occupies in the decoded samples.
    var bytesPerPixel: Int {
        switch self {
        case .gray, .lowBitGray, .palette: return 1
        case .gray16: return 2
        case .grayAlpha(let bytes): return 2 * bytes
        case .rgb(let bytes): return 3 * bytes
        case .rgba(let bytes): return 4 * bytes
        case .invertedCMYK: return 4
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
        case .invertedCMYK:
            for i in 0..<count {
                // PIL un-inverts on unpacking, then cmyk2rgb: nk - nk·ink/255 with its
                // rounded fixed-point division by 255.
                let nk = Int(samples[4 * i + 3])
                for channel in 0..<3 {
                    let ink = 255 - Int(samples[4 * i + channel])
                    let product = ink * nk + 128
                    let value = nk - (((product >> 8) + product) >> 8)
                    out[3 * i + channel] = UInt8(clamping: value)
                }
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
