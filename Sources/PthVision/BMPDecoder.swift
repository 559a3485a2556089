/// BMP decoding by a bounds-checked reader of our own that follows PIL's BmpImagePlugin rule for
/// rule, so that what PIL reads is read the same and what PIL refuses is refused: the header
/// sizes it knows (OS/2 core 12 bytes, Windows 40 to 124), 1/4/8-bit palettes (a palette that
/// is only greys is PIL's mode `1` or `L`), 16-bit 5-5-5 and bitfield 5-6-5, 24-bit, 32-bit with
/// the bitfield layouts PIL lists, bottom-up or top-down rows, and RLE8/RLE4 runs.
///
/// No library is used because none reads BMP as PIL does: stb_image has no RLE and widens 5-bit
/// channels by bit replication where PIL computes `v * 255 / 31`, and the general image
/// libraries (ImageMagick, FreeImage) bring large dependencies with their own conversions.
enum BMPDecoder {
    private static let headerSizes: Set<Int> = [12, 40, 52, 56, 64, 108, 124]

    static func decode(_ bytes: [UInt8], path: String, maxPixels: Int) throws -> RGBImage {
        func invalid(_ message: String) -> ImageError { ImageError(path: path, message: "invalid BMP: \(message)") }
        func unsupported(_ message: String) -> ImageError { ImageError(path: path, message: "BMP \(message) is not read (PIL refuses it too)") }
        func u16(_ at: Int) throws -> Int {
            guard at + 2 <= bytes.count else { throw invalid("file ends inside its header") }
            return Int(bytes[at]) | Int(bytes[at + 1]) << 8
        }
        func u32(_ at: Int) throws -> Int {
            guard at + 4 <= bytes.count else { throw invalid("file ends inside its header") }
            return try u16(at) | u16(at + 2) << 16
        }

        var dataOffset = try u32(10)
        let headerSize = try u32(14)
        guard headerSizes.contains(headerSize) else { throw unsupported("header of \(headerSize) bytes") }
        guard 14 + headerSize <= bytes.count else { throw invalid("file ends inside its header") }
        let width: Int, height: Int, bits: Int, compression: Int, paletteEntryBytes: Int
        var colors = 0, topDown = false
        if headerSize == 12 {
            (width, height, bits) = (try u16(18), try u16(20), try u16(24))
            (compression, paletteEntryBytes) = (0, 3)
        } else {
            // A negative height (its high byte 0xFF, as PIL tests it) stores the rows top-down.
            topDown = bytes[25] == 0xFF
            width = try u32(18)
            height = topDown ? (1 << 32) - (try u32(22)) : try u32(22)
            (bits, compression, colors, paletteEntryBytes) = (try u16(28), try u32(30), try u32(46), 4)
        }
        try ImageDecoder.checkSize(width: width, height: height, maxPixels: maxPixels, path: path)
        var position = 14 + headerSize

        let conversion: RGBConversion
        var runLength: BMPRunLength.Kind?
        var unpackedBits = 8
        switch (bits, compression) {
        case (1, 0...2), (4, 0...2), (8, 0...2):
            if compression != 0 { runLength = compression == 1 ? .rle8 : .rle4 }
            if colors == 0 { colors = 1 << bits }
            guard colors <= 256 else { throw ImageError(path: path, message: "BMP palette of \(colors) colours is not read (at most 256)") }
            guard position + colors * paletteEntryBytes <= bytes.count else { throw invalid("file ends inside its palette") }
            // A palette right after the header: PIL then finds the pixels after the palette.
            if dataOffset == 14 + headerSize { dataOffset += colors * paletteEntryBytes }
            let entries = (0..<colors).map { index -> [UInt8] in
                let at = position + index * paletteEntryBytes
                return [bytes[at + 2], bytes[at + 1], bytes[at]]
            }
            position += colors * paletteEntryBytes
            let greys = colors == 2 ? [0, 255] : (0..<colors).map { $0 & 255 }
            if zip(entries, greys).allSatisfy({ entry, grey in entry.allSatisfy { Int($0) == grey } }) {
                // PIL drops a palette of greys and reads mode `1` (two colours or fewer) or `L`
                // raw, as 1-bit or 8-bit samples whatever the file's depth.
                let twoColours = colors <= 2
                if runLength == nil && bits != (twoColours ? 1 : 8) {
                    throw ImageError(
                        path: path,
                        message:
                            "BMP of \(bits)-bit pixels with a palette of \(colors) greys is not read (PIL reads such pixels as \(twoColours ? 1 : 8)-bit, so misreads or refuses the file)"
                    )
                }
                conversion = .palette(
                    (0..<256).flatMap { index -> [UInt8] in
                        let level = UInt8(twoColours ? (index == 0 ? 0 : 255) : index)
                        return [level, level, level]
                    })
            } else {
                conversion = .palette(entries.flatMap { $0 } + [UInt8](repeating: 0, count: (256 - colors) * 3))
            }
            unpackedBits = runLength == nil ? bits : 8
        case (16, 0): conversion = .bgr16(greenBits: 5)
        case (24, 0): conversion = .channels(bytesPerPixel: 3, red: 2, green: 1, blue: 0)
        case (32, 0): conversion = .channels(bytesPerPixel: 4, red: 2, green: 1, blue: 0)
        case (16, 3), (24, 3), (32, 3):
            // The masks follow a 40-byte header; longer headers hold them (and alpha from 56 bytes).
            let masks: [Int]
            if headerSize >= 52 {
                masks = [try u32(54), try u32(58), try u32(62), headerSize >= 56 ? try u32(66) : 0]
            } else {
                masks = [try u32(position), try u32(position + 4), try u32(position + 8), 0]
                position += 12
            }
            guard let layout = bitfields(bits: bits, masks: masks) else {
                let shown = masks.prefix(bits == 32 ? 4 : 3).map { "0x" + String($0, radix: 16) }.joined(separator: "/")
                throw unsupported("bitfields layout \(shown) of \(bits)-bit pixels")
            }
            conversion = layout
        case (1, _), (4, _), (8, _), (16, _), (24, _), (32, _):
            throw unsupported("compression \(compression)\(compression == 4 ? " (JPEG)" : compression == 5 ? " (PNG)" : "") with \(bits)-bit pixels")
        default:
            throw unsupported("pixel depth of \(bits) bits")
        }

        let stride = ((width * bits + 31) >> 3) & ~3
        let rowBytes = (width * bits + 7) / 8
        // Uncompressed rows must all be there before anything is allocated for them (the last row
        // needs no padding after it).
        guard runLength != nil || (dataOffset <= bytes.count && bytes.count - dataOffset >= stride * (height - 1) + rowBytes) else {
            throw invalid(
                "file is truncated: \(height) rows of \(rowBytes) bytes need \(stride * (height - 1) + rowBytes) bytes from offset \(dataOffset), it has \(max(0, bytes.count - dataOffset))"
            )
        }
        let rowSamples = width * (unpackedBits < 8 ? 1 : conversion.bytesPerPixel)
        var samples = [UInt8](repeating: 0, count: rowSamples * height)
        if let runLength {
            let indices = try BMPRunLength.expand(bytes, from: dataOffset, kind: runLength, width: width, height: height, path: path)
            samples.withUnsafeMutableBufferPointer { out in
                indices.withUnsafeBufferPointer { rows in
                    for row in 0..<height {
                        let target = topDown ? row : height - 1 - row
                        (out.baseAddress! + target * width).update(from: rows.baseAddress! + row * width, count: width)
                    }
                }
            }
        } else {
            samples.withUnsafeMutableBufferPointer { out in
                bytes.withUnsafeBufferPointer { file in
                    for row in 0..<height {
                        let source = file.baseAddress! + dataOffset + row * stride
                        let target = out.baseAddress! + (topDown ? row : height - 1 - row) * rowSamples
                        if bits < 8 {
                            PackedSamples.unpack(source, bits: bits, count: width, into: target)
                        } else {
                            target.update(from: source, count: rowSamples)
                        }
                    }
                }
            }
        }
        return conversion.image(width: width, height: height, samples: samples)
    }

    /// The conversion for a BI_BITFIELDS layout PIL reads (its table of supported masks, red,
    /// green, blue and alpha), or nil.
    private static func bitfields(bits: Int, masks: [Int]) -> RGBConversion? {
        switch bits {
        case 16:
            switch Array(masks.prefix(3)) {
            case [0xF800, 0x7E0, 0x1F]: return .bgr16(greenBits: 6)
            case [0x7C00, 0x3E0, 0x1F]: return .bgr16(greenBits: 5)
            default: return nil
            }
        case 24:
            return Array(masks.prefix(3)) == [0xFF0000, 0xFF00, 0xFF] ? .channels(bytesPerPixel: 3, red: 2, green: 1, blue: 0) : nil
        default:
            let layouts: [[Int]] = [
                [0xFF0000, 0xFF00, 0xFF, 0], [0xFF00_0000, 0xFF0000, 0xFF00, 0], [0xFF00_0000, 0xFF00, 0xFF, 0],
                [0xFF00_0000, 0xFF0000, 0xFF00, 0xFF], [0xFF, 0xFF00, 0xFF0000, 0xFF00_0000],
                [0xFF0000, 0xFF00, 0xFF, 0xFF00_0000], [0xFF00_0000, 0xFF00, 0xFF, 0xFF0000],
            ]
            if masks == [0, 0, 0, 0] { return .channels(bytesPerPixel: 4, red: 2, green: 1, blue: 0) }
            guard layouts.contains(masks) else { return nil }
            // Each colour mask is one whole byte of the little-endian pixel.
            let offsets = masks.prefix(3).map { $0.trailingZeroBitCount / 8 }
            return .channels(bytesPerPixel: 4, red: offsets[0], green: offsets[1], blue: offsets[2])
        }
    }
}
