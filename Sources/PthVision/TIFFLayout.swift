import CTIFF

/// How the first page of a TIFF file stores its pixels, read from its tags, and the PIL mode
/// (as an `RGBConversion`) that PIL's TIFF plugin opens that layout as.
struct TIFFLayout {
    let width: Int
    let height: Int
    let photometric: Int32
    let bitsPerSample: Int
    /// Samples of each pixel in the file (less the unspecified extra planes PIL ignores).
    let samplesPerPixel: Int
    /// The leading samples of each pixel `conversion` takes (PIL's mode drops the rest).
    let keptSamples: Int
    /// 1 when the samples are contiguous, else one plane per sample.
    let planes: Int
    /// The planes worth decoding: the one contiguous plane, or those of the kept samples.
    var planesRead: Int { planes == 1 ? 1 : keptSamples }
    let orientation: ImageOrientation
    let conversion: RGBConversion
    /// Min-is-white grey: samples are inverted before conversion.
    private let inverted: Bool
    /// 16-bit CMYK: PIL keeps the high byte of each sample before converting.
    private let keepsHighBytes: Bool
    /// Grey that PIL opens as 32-bit integers or floats (`I`, `F`), clamped to 0…255 on the way to RGB.
    private let wideGrey: WideGrey?

    /// Grey samples PIL holds as `I` or `F`: to RGB, integers are clamped to 0…255 and floats
    /// truncated toward zero, then clamped.
    private enum WideGrey {
        case signed16, unsigned32, signed32, float32
    }

    /// Bits of one pixel within one plane.
    var planeBitsPerPixel: Int { bitsPerSample * (planes == 1 ? samplesPerPixel : 1) }
    /// Bytes of one row within one plane (rows start on byte boundaries).
    var planeRowBytes: Int { (width * planeBitsPerPixel + 7) / 8 }

    init(_ decoder: UnsafeMutablePointer<pth_tiff_decoder>, path: String) throws {
        func uint16(_ tag: Int32) -> Int {
            var value: UInt16 = 0
            return pth_tiff_uint16(decoder, UInt32(tag), &value) != 0 ? Int(value) : 0
        }
        func uint32(_ tag: Int32) -> Int {
            var value: UInt32 = 0
            return pth_tiff_uint32(decoder, UInt32(tag), &value) != 0 ? Int(value) : 0
        }
        width = uint32(TIFFTAG_IMAGEWIDTH)
        height = uint32(TIFFTAG_IMAGELENGTH)
        photometric = Int32(uint16(TIFFTAG_PHOTOMETRIC))
        bitsPerSample = uint16(TIFFTAG_BITSPERSAMPLE)
        let sampleFormat = uint16(TIFFTAG_SAMPLEFORMAT)
        let compression = uint16(TIFFTAG_COMPRESSION)
        let separate = uint16(TIFFTAG_PLANARCONFIG) == Int(PLANARCONFIG_SEPARATE)
        orientation = ImageOrientation(tag: uint16(TIFFTAG_ORIENTATION))
        var extraCount: UInt16 = 0
        var extraTypes: UnsafePointer<UInt16>?
        pth_tiff_extra_samples(decoder, &extraCount, &extraTypes)
        var extras = (0..<Int(extraCount)).map { Int(extraTypes![$0]) }
        var samples = uint16(TIFFTAG_SAMPLESPERPIXEL)
        // Separate planes of unspecified extra samples are not read at all.
        if separate && !extras.isEmpty && extras.allSatisfy({ $0 == 0 }) {
            samples -= extras.count
            extras = []
        }
        samplesPerPixel = samples
        planes = separate ? samples : 1
        let bits = bitsPerSample
        let described = "photometric \(photometric), \(samples) samples of \(bits) bits, sample format \(sampleFormat), extra samples \(extras)"
        func refuse(_ why: String = "") -> ImageError { ImageError(path: path, message: "TIFF layout not read: \(described)\(why)") }
        var inverted = false, keepsHighBytes = false, kept = samples
        var wideGrey: WideGrey?
        let conversion: RGBConversion
        let littleEndian = !TIFFLayout.isBigEndian(decoder)
        switch (photometric, sampleFormat, bits) {
        // PIL's table: 32-bit unsigned grey (little-endian only), signed 16-bit, 32-bit signed and
        // float grey read as `I` or `F`, float also when min-is-white; signed 8-bit grey as `L`.
        case (PHOTOMETRIC_MINISBLACK, Int(SAMPLEFORMAT_UINT), 32) where samples == 1 && extras.isEmpty && littleEndian: wideGrey = .unsigned32
        case (_, Int(SAMPLEFORMAT_UINT), _): break
        case (PHOTOMETRIC_MINISBLACK, Int(SAMPLEFORMAT_INT), 8) where samples == 1 && extras.isEmpty: break
        case (PHOTOMETRIC_MINISBLACK, Int(SAMPLEFORMAT_INT), 16) where samples == 1 && extras.isEmpty: wideGrey = .signed16
        case (PHOTOMETRIC_MINISBLACK, Int(SAMPLEFORMAT_INT), 32) where samples == 1 && extras.isEmpty: wideGrey = .signed32
        case (PHOTOMETRIC_MINISBLACK, Int(SAMPLEFORMAT_IEEEFP), 32) where samples == 1 && extras.isEmpty,
            (PHOTOMETRIC_MINISWHITE, Int(SAMPLEFORMAT_IEEEFP), 32) where samples == 1 && extras.isEmpty:
            wideGrey = .float32
        default: throw refuse()
        }
        switch photometric {
        case _ where wideGrey != nil:
            conversion = .gray
        case PHOTOMETRIC_MINISWHITE, PHOTOMETRIC_MINISBLACK:
            let whiteIsZero = photometric == PHOTOMETRIC_MINISWHITE
            switch (samples, bits, extras) {
            case (1, 1, []), (1, 2, []), (1, 4, []):
                (conversion, inverted) = (.lowBitGray(bits: bits), whiteIsZero)
            case (1, 8, []):
                (conversion, inverted) = (.gray, whiteIsZero)
            case (1, 16, []) where !whiteIsZero || littleEndian:
                // PIL reads little-endian min-is-white 16-bit grey as plain `I;16`, not inverted.
                conversion = .gray16
            case (2, 8, [0]) where !whiteIsZero, (2, 8, [2]) where !whiteIsZero:
                (conversion, kept) = (.gray, 1)
            default: throw refuse()
            }
        case PHOTOMETRIC_RGB:
            let alpha = extras.first ?? (samples == 4 ? 2 : 0)
            guard samples >= 3, samples <= 6, extras.count == samples - 3 || (samples == 4 && extras.isEmpty),
                extras.dropFirst().allSatisfy({ $0 == 0 })
            else { throw refuse() }
            switch (bits, samples, alpha) {
            case (8, _, 1): (conversion, kept) = (.premultipliedRGBA, 4)
            case (8, _, 0), (8, _, 2): (conversion, kept) = (.rgb(bytesPerSample: 1), 3)
            case (16, 3, _), (16, 4, 0), (16, 4, 2): (conversion, kept) = (.rgb(bytesPerSample: 2), 3)
            default: throw refuse()
            }
        case PHOTOMETRIC_PALETTE:
            // Indices alone, or 8-bit indices with an unspecified or alpha sample (PIL's `PX`, `PA`).
            guard (samples == 1 && extras.isEmpty && [1, 2, 4, 8].contains(bits)) || (samples == 2 && bits == 8 && (extras == [0] || extras == [2])) else {
                throw refuse()
            }
            kept = 1
            var red: UnsafePointer<UInt16>?, green: UnsafePointer<UInt16>?, blue: UnsafePointer<UInt16>?
            guard pth_tiff_colormap(decoder, &red, &green, &blue) != 0, let red, let green, let blue else {
                throw ImageError(path: path, message: "invalid TIFF: palette image without a ColorMap")
            }
            // PIL keeps the high byte of each 16-bit entry; a 2^bits-entry map, the rest black.
            var palette = [UInt8](repeating: 0, count: 256 * 3)
            for index in 0..<(1 << bits) {
                palette[3 * index] = UInt8(red[index] >> 8)
                palette[3 * index + 1] = UInt8(green[index] >> 8)
                palette[3 * index + 2] = UInt8(blue[index] >> 8)
            }
            conversion = .palette(palette)
        case PHOTOMETRIC_SEPARATED:
            // CMYK, 8-bit also with one or two unspecified samples after it.
            guard
                (samples == 4 && extras.isEmpty && (bits == 8 || bits == 16))
                    || (bits == 8 && samples > 4 && samples <= 6 && extras == Array(repeating: 0, count: samples - 4))
            else {
                throw refuse()
            }
            (conversion, keepsHighBytes, kept) = (.cmyk(inverted: false), bits == 16, 4)
        case PHOTOMETRIC_YCBCR:
            // libjpeg converts JPEG-compressed YCbCr to RGB (PIL asks libtiff for the same).
            guard compression == Int(COMPRESSION_JPEG), !separate, samples == 3, bits == 8, extras.isEmpty else {
                throw refuse(" (YCbCr is read only JPEG-compressed)")
            }
            conversion = .rgb(bytesPerSample: 1)
        default:
            throw refuse()
        }
        self.conversion = conversion
        self.keptSamples = kept
        self.inverted = inverted
        self.keepsHighBytes = keepsHighBytes
        self.wideGrey = wideGrey
    }

    private static func isBigEndian(_ decoder: UnsafeMutablePointer<pth_tiff_decoder>) -> Bool {
        TIFFIsBigEndian(decoder.pointee.tiff) != 0
    }

    /// The samples `conversion` expects, `width * height` pixels without row padding, from the
    /// planes as libtiff decoded them (`planesRead` of them): sub-byte samples spread to bytes,
    /// min-is-white inverted, the kept samples of each pixel gathered from contiguous or separate
    /// planes, 16-bit samples (native order from libtiff) big-endian, or reduced to their high
    /// byte for CMYK.
    func samples(fromPlanes planes: [[UInt8]]) -> [UInt8] {
        // Contiguous bytes that are all kept are already what the conversion expects.
        if self.planes == 1 && bitsPerSample == 8 && keptSamples == samplesPerPixel && !inverted {
            return planes[0]
        }
        let count = width * height
        if let wideGrey {
            return planes[0].withUnsafeBytes { input in
                (0..<count).map { pixel -> UInt8 in
                    let at = 4 * pixel
                    switch wideGrey {
                    case .signed16: return UInt8(clamping: input.loadUnaligned(fromByteOffset: 2 * pixel, as: Int16.self))
                    case .unsigned32: return UInt8(clamping: input.loadUnaligned(fromByteOffset: at, as: UInt32.self))
                    case .signed32: return UInt8(clamping: input.loadUnaligned(fromByteOffset: at, as: Int32.self))
                    case .float32:
                        let value = input.loadUnaligned(fromByteOffset: at, as: Float.self)
                        return value.isNaN ? 0 : UInt8(max(0, min(255, value.rounded(.towardZero))))
                    }
                }
            }
        }
        let sampleBytes = bitsPerSample < 8 ? 1 : bitsPerSample / 8
        let outBytes = keepsHighBytes ? 1 : sampleBytes
        var out = [UInt8](repeating: 0, count: count * keptSamples * outBytes)
        out.withUnsafeMutableBufferPointer { output in
            if bitsPerSample < 8 {
                planes[0].withUnsafeBufferPointer { input in
                    for row in 0..<height {
                        PackedSamples.unpack(
                            input.baseAddress! + row * planeRowBytes, bits: bitsPerSample, count: width,
                            into: output.baseAddress! + row * width)
                    }
                }
            } else {
                let planeSamples = self.planes == 1 ? samplesPerPixel : 1
                for (plane, data) in planes.enumerated() {
                    data.withUnsafeBufferPointer { input in
                        for pixel in 0..<count {
                            for sample in 0..<min(planeSamples, keptSamples) {
                                let from = (pixel * planeSamples + sample) * sampleBytes
                                let to = (pixel * keptSamples + plane + sample) * outBytes
                                if sampleBytes == 1 {
                                    output[to] = input[from]
                                } else {
                                    let value = UnsafeRawPointer(input.baseAddress! + from).loadUnaligned(as: UInt16.self)
                                    output[to] = UInt8(value >> 8)
                                    if !keepsHighBytes { output[to + 1] = UInt8(value & 0xFF) }
                                }
                            }
                        }
                    }
                }
            }
            if inverted {
                let maximum = UInt8((1 << min(bitsPerSample, 8)) - 1)
                for i in 0..<output.count { output[i] = maximum - output[i] }
            }
        }
        return out
    }
}
