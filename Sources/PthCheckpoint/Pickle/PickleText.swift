/// Decoders for the text arguments of protocol-0 opcodes and for arbitrary-size integers.
enum PickleText {
    /// Python refuses to convert decimal strings longer than this (sys.int_info.default_max_str_digits);
    /// the same limit keeps a hostile LONG from costing quadratic time here.
    static let maximumDigits = 4300

    /// The bytes of a STRING argument: a Python `repr` literal in single or double quotes,
    /// with backslash escapes (`\\`, `\'`, `\n`, `\xhh`, octal …) decoded.
    static func unquote(_ line: [UInt8]) -> [UInt8]? {
        guard line.count >= 2, let quote = line.first, quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\""),
            line.last == quote
        else { return nil }
        let body = line[1..<(line.count - 1)]
        var out = [UInt8]()
        out.reserveCapacity(body.count)
        var i = body.startIndex
        while i < body.endIndex {
            let byte = body[i]
            i += 1
            guard byte == UInt8(ascii: "\\") else { out.append(byte); continue }
            guard i < body.endIndex else { return nil }
            let escape = body[i]
            i += 1
            switch escape {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "a"): out.append(0x07)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "v"): out.append(0x0B)
            case UInt8(ascii: "x"):
                guard i + 2 <= body.endIndex, let value = UInt8(String(decoding: body[i..<(i + 2)], as: UTF8.self), radix: 16) else { return nil }
                out.append(value)
                i += 2
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = Int(escape - UInt8(ascii: "0"))
                var digits = 1
                while digits < 3, i < body.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(body[i]) {
                    value = value * 8 + Int(body[i] - UInt8(ascii: "0"))
                    i += 1
                    digits += 1
                }
                out.append(UInt8(truncatingIfNeeded: value))
            default: out.append(escape)  // \\, \', \" and unknown escapes keep the character
            }
        }
        return out
    }

    /// A UNICODE argument: raw-unicode-escape, i.e. Latin-1 bytes with `\uXXXX` and `\UXXXXXXXX` escapes.
    static func rawUnicodeEscape(_ line: [UInt8]) -> String? {
        var scalars = String.UnicodeScalarView()
        var i = 0
        while i < line.count {
            if line[i] == UInt8(ascii: "\\"), i + 1 < line.count, line[i + 1] == UInt8(ascii: "u") || line[i + 1] == UInt8(ascii: "U") {
                let width = line[i + 1] == UInt8(ascii: "u") ? 4 : 8
                guard i + 2 + width <= line.count,
                    let code = UInt32(String(decoding: line[(i + 2)..<(i + 2 + width)], as: UTF8.self), radix: 16),
                    let scalar = Unicode.Scalar(code)
                else { return nil }
                scalars.append(scalar)
                i += 2 + width
            } else {
                scalars.append(Unicode.Scalar(line[i]))
                i += 1
            }
        }
        return String(scalars)
    }

    /// A decimal integer too big for `Int`, as `.bigInt` little-endian two's-complement bytes.
    static func decimalToTwosComplement(_ text: String) -> PickleItem? {
        var digits = Substring(text)
        let negative = digits.first == "-"
        if negative || digits.first == "+" { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.count <= maximumDigits, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        // Magnitude in base 2^8, little-endian, built by multiply-by-10-and-add.
        var magnitude: [UInt8] = [0]
        for digit in digits.utf8 {
            var carry = Int(digit - UInt8(ascii: "0"))
            for index in magnitude.indices {
                let value = Int(magnitude[index]) * 10 + carry
                magnitude[index] = UInt8(value & 0xFF)
                carry = value >> 8
            }
            while carry > 0 { magnitude.append(UInt8(carry & 0xFF)); carry >>= 8 }
        }
        magnitude.append(0)  // room for the sign bit
        if negative {
            var carry = 1
            for index in magnitude.indices {
                let value = Int(~magnitude[index]) + carry
                magnitude[index] = UInt8(value & 0xFF)
                carry = value >> 8
            }
        }
        return normalisedInteger(magnitude)
    }

    /// Drops redundant sign-extension bytes; returns `.int` when the value fits in 64 bits.
    static func normalisedInteger(_ bytes: [UInt8]) -> PickleItem {
        var bytes = bytes
        while bytes.count > 1 {
            let last = bytes[bytes.count - 1], previous = bytes[bytes.count - 2]
            if (last == 0 && previous & 0x80 == 0) || (last == 0xFF && previous & 0x80 != 0) { bytes.removeLast() } else { break }
        }
        guard bytes.count <= 8 else { return .bigInt(bytes) }
        let negative = (bytes.last ?? 0) & 0x80 != 0
        var value: UInt64 = negative ? ~0 : 0
        for (shift, byte) in bytes.enumerated() {
            value &= ~(UInt64(0xFF) << (8 * UInt64(shift)))
            value |= UInt64(byte) << (8 * UInt64(shift))
        }
        return .int(Int(Int64(bitPattern: value)))
    }
}
