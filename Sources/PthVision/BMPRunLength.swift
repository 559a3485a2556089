/// BMP's run-length encodings of palette indices, expanded as PIL's BmpRleDecoder expands them:
/// runs clipped at the row's end, end-of-line padding with index 0, deltas filled with index 0,
/// absolute runs realigned to even file offsets. PIL refuses runs that stop before every pixel
/// is set, and so does this.
enum BMPRunLength {
    /// Eight-bit indices (RLE8) or four-bit pairs (RLE4).
    enum Kind {
        case rle8
        case rle4
    }

    /// `width * height` indices, in the file's row order, from the runs at `offset`.
    static func expand(_ bytes: [UInt8], from offset: Int, kind: Kind, width: Int, height: Int, path: String) throws -> [UInt8] {
        let total = width * height
        var data = [UInt8]()
        data.reserveCapacity(total)
        var position = offset, x = 0
        func append(_ value: UInt8, count: Int) { data.append(contentsOf: repeatElement(value, count: count)) }
        runs: while data.count < total {
            guard position + 2 <= bytes.count else { break }
            let count = Int(bytes[position]), code = bytes[position + 1]
            position += 2
            if count > 0 {
                // Encoded mode: one index (RLE8) or an alternating pair (RLE4), repeated.
                let clipped = x + count > width ? max(0, width - x) : count
                switch kind {
                case .rle8: append(code, count: clipped)
                case .rle4: for index in 0..<clipped { data.append(index % 2 == 0 ? code >> 4 : code & 0x0F) }
                }
                x += clipped
                continue
            }
            switch code {
            case 0:
                // End of line.
                append(0, count: (width - data.count % width) % width)
                x = 0
            case 1:
                break runs
            case 2:
                guard position + 2 <= bytes.count else { break runs }
                let right = Int(bytes[position]), up = Int(bytes[position + 1])
                position += 2
                append(0, count: min(total - data.count, right + up * width))
                x = data.count % width
            default:
                // Absolute mode: `code` indices stored as they are.
                let wanted = min(total - data.count, Int(code))
                let byteCount = kind == .rle8 ? wanted : (wanted + 1) / 2
                let available = min(byteCount, bytes.count - position)
                for i in 0..<available {
                    let byte = bytes[position + i]
                    switch kind {
                    case .rle8: data.append(byte)
                    case .rle4:
                        data.append(byte >> 4)
                        if i * 2 + 1 < wanted { data.append(byte & 0x0F) }
                    }
                }
                position += available
                if available < byteCount || data.count == total { break runs }
                x += Int(code)
                if position % 2 != 0 { position += 1 }
            }
        }
        guard data.count >= total else {
            throw ImageError(path: path, message: "invalid BMP: the run-length data sets \(data.count) of \(total) pixels (PIL refuses it too)")
        }
        return data
    }
}
