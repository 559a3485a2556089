import CTIFF

/// TIFF decoding with libtiff: the first page (directory), as PIL reads it. libtiff undoes the
/// compression (LZW, deflate, PackBits, JPEG, CCITT, …), the predictor and the fill order,
/// strip by strip or tile by tile; the samples are then turned into RGB by PIL's rules for the
/// mode its TIFF plugin opens the layout as, and the Orientation tag is applied as PIL does.
///
/// The layouts read are PIL's 1/2/4/8-bit grey (either photometric polarity, with or without an
/// alpha or unspecified sample), 16-bit unsigned and signed, 32-bit integer and float grey,
/// 8- and 16-bit RGB with or without extra samples (premultiplied alpha undone as PIL does),
/// 1/2/4/8-bit palette, 8- and 16-bit CMYK, and JPEG-compressed YCbCr, contiguous or planar.
/// Others PIL reads (YCbCr not compressed as JPEG, LAB, 12-bit grey, 16-bit premultiplied RGBA,
/// premultiplied grey) are refused with the layout named.
enum TIFFDecoder {
    static func decode(_ bytes: [UInt8], path: String, maxPixels: Int) throws -> RGBImage {
        let decoder = UnsafeMutablePointer<pth_tiff_decoder>.allocate(capacity: 1)
        defer { decoder.deallocate() }
        func failure(_ what: String) -> ImageError {
            let reason = withUnsafePointer(to: &decoder.pointee.message) { cMessage($0) }
            return ImageError(path: path, message: "invalid TIFF: \(what)\(reason.isEmpty ? "" : ": \(reason)")")
        }
        return try bytes.withUnsafeBufferPointer { buffer in
            defer { pth_tiff_close_file(decoder) }
            guard pth_tiff_open(decoder, buffer.baseAddress, buffer.count) == 0 else { throw failure("cannot open") }
            let layout = try TIFFLayout(decoder, path: path)
            try ImageDecoder.checkSize(width: layout.width, height: layout.height, maxPixels: maxPixels, path: path)
            if layout.photometric == PHOTOMETRIC_YCBCR {
                guard pth_tiff_jpeg_rgb(decoder) != 0 else { throw failure("cannot ask for RGB from the JPEG codec") }
            }
            var planes: [[UInt8]] = []
            for plane in 0..<layout.planesRead {
                planes.append(try readPlane(plane, layout: layout, decoder: decoder, maxPixels: maxPixels, path: path, failure: failure))
            }
            let samples = layout.samples(fromPlanes: planes)
            return layout.orientation.upright(layout.conversion.image(width: layout.width, height: layout.height, samples: samples))
        }
    }

    /// One plane (all samples when they are contiguous) as `layout.planeRowBytes`-byte rows.
    private static func readPlane(
        _ plane: Int, layout: TIFFLayout, decoder: UnsafeMutablePointer<pth_tiff_decoder>, maxPixels: Int,
        path: String, failure: (String) -> ImageError
    ) throws -> [UInt8] {
        let tiff = decoder.pointee.tiff!
        let rowBytes = layout.planeRowBytes, height = layout.height
        var pixels = [UInt8](repeating: 0, count: rowBytes * height)
        if TIFFIsTiled(tiff) != 0 {
            var tileWidth: UInt32 = 0, tileHeight: UInt32 = 0
            guard pth_tiff_uint32(decoder, UInt32(TIFFTAG_TILEWIDTH), &tileWidth) != 0,
                pth_tiff_uint32(decoder, UInt32(TIFFTAG_TILELENGTH), &tileHeight) != 0, tileWidth > 0, tileHeight > 0
            else {
                throw failure("tiled image without tile dimensions")
            }
            // A lying tile size must not allocate more than the image could.
            let (tilePixels, overflow) = Int(tileWidth).multipliedReportingOverflow(by: Int(tileHeight))
            guard !overflow, tilePixels <= maxPixels else {
                throw ImageError(path: path, message: "invalid TIFF: tiles of \(tileWidth)x\(tileHeight) pixels exceed the pixel limit")
            }
            let tileRowBytes = Int(TIFFTileRowSize64(tiff)), tileBytes = Int(TIFFTileSize64(tiff))
            guard tileRowBytes > 0, tileBytes >= tileRowBytes * Int(tileHeight) else { throw failure("tile size") }
            var tile = [UInt8](repeating: 0, count: tileBytes)
            for y in stride(from: 0, to: height, by: Int(tileHeight)) {
                for x in stride(from: 0, to: layout.width, by: Int(tileWidth)) {
                    let index = TIFFComputeTile(tiff, UInt32(x), UInt32(y), 0, UInt16(plane))
                    let read = tile.withUnsafeMutableBytes { TIFFReadEncodedTile(tiff, index, $0.baseAddress, tmsize_t(tileBytes)) }
                    guard read >= 0 else { throw failure("tile \(index) does not decode") }
                    let start = x * layout.planeBitsPerPixel / 8
                    let count = min(tileRowBytes, rowBytes - start)
                    pixels.withUnsafeMutableBufferPointer { out in
                        tile.withUnsafeBufferPointer { source in
                            for row in 0..<min(Int(tileHeight), height - y) {
                                (out.baseAddress! + (y + row) * rowBytes + start).update(from: source.baseAddress! + row * tileRowBytes, count: count)
                            }
                        }
                    }
                }
            }
        } else {
            var rowsPerStrip: UInt32 = 0
            guard pth_tiff_uint32(decoder, UInt32(TIFFTAG_ROWSPERSTRIP), &rowsPerStrip) != 0 else { throw failure("no RowsPerStrip") }
            let stripRows = max(1, min(Int(rowsPerStrip), height))
            let stripsPerPlane = (height + stripRows - 1) / stripRows
            for strip in 0..<stripsPerPlane {
                let firstRow = strip * stripRows, rows = min(stripRows, height - firstRow)
                let index = UInt32(plane * stripsPerPlane + strip)
                let read = pixels.withUnsafeMutableBytes {
                    TIFFReadEncodedStrip(tiff, index, $0.baseAddress! + firstRow * rowBytes, tmsize_t(rows * rowBytes))
                }
                guard read >= 0 else { throw failure("strip \(index) does not decode") }
            }
        }
        return pixels
    }
}
