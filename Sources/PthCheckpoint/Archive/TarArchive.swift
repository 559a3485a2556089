/// A POSIX tar archive (ustar, with pax and GNU long-name headers) in a mapped file: member names
/// and where their bytes are. Headers are checksum-verified; sizes are checked against the file.
struct TarArchive {
    static let blockSize = 512

    /// Member bytes by name (the last member of a name wins, as tar extraction does).
    private(set) var members: [String: Range<Int>] = [:]

    /// Whether `bytes` starts with a ustar header whose checksum is right.
    static func looksLikeTar(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= blockSize && magic(bytes, 0) && checksumMatches(bytes, 0)
    }

    init(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        var longName: String?
        while offset <= bytes.count - TarArchive.blockSize {
            if (offset..<(offset + TarArchive.blockSize)).allSatisfy({ bytes[$0] == 0 }) { return }  // end-of-archive block
            guard TarArchive.checksumMatches(bytes, offset) else {
                throw CheckpointError("tar offset \(offset)", "header checksum does not match")
            }
            let size = try TarArchive.size(bytes, offset)
            let dataStart = offset + TarArchive.blockSize
            guard size <= bytes.count - dataStart else {
                throw CheckpointError("tar offset \(offset)", "member of \(size) bytes runs past the end of the \(bytes.count)-byte file")
            }
            let data = dataStart..<(dataStart + size)
            let type = bytes[offset + 156]
            switch type {
            case UInt8(ascii: "x"):
                longName = TarArchive.paxPath(UnsafeRawBufferPointer(rebasing: bytes[data])) ?? longName
            case UInt8(ascii: "L"):
                longName = TarArchive.text(UnsafeRawBufferPointer(rebasing: bytes[data]))
            case UInt8(ascii: "0"), 0, UInt8(ascii: "7"):
                let name = longName ?? TarArchive.headerName(bytes, offset)
                members[name] = data
                longName = nil
            default:
                longName = nil  // directories, links, global pax headers: nothing a checkpoint needs
            }
            let padded = (size + TarArchive.blockSize - 1) / TarArchive.blockSize * TarArchive.blockSize
            guard padded <= bytes.count - dataStart else {
                throw CheckpointError("tar offset \(offset)", "archive is truncated inside a member's padding")
            }
            offset = dataStart + padded
        }
        if offset < bytes.count || members.isEmpty {
            throw CheckpointError("tar offset \(offset)", "archive is truncated")
        }
    }

    private static func magic(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> Bool {
        Array(bytes[(offset + 257)..<(offset + 262)]) == Array("ustar".utf8)
    }

    /// The header checksum: the sum of its bytes with the checksum field counted as spaces.
    private static func checksumMatches(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> Bool {
        var sum = 0
        for index in 0..<blockSize {
            sum += (148..<156).contains(index) ? 0x20 : Int(bytes[offset + index])
        }
        return octal(bytes, offset + 148, 8) == sum
    }

    private static func size(_ bytes: UnsafeRawBufferPointer, _ offset: Int) throws -> Int {
        let field = offset + 124
        if bytes[field] & 0x80 != 0 {
            // GNU base-256: big-endian binary in the remaining bits.
            var value = 0
            for index in (field + 1)..<(field + 12) {
                guard value <= (Int.max >> 8) else { throw CheckpointError("tar offset \(offset)", "member size overflows") }
                value = value << 8 | Int(bytes[index])
            }
            return value
        }
        guard let value = octal(bytes, field, 12) else { throw CheckpointError("tar offset \(offset)", "member size is not octal") }
        return value
    }

    /// An octal number field, NUL- or space-terminated; at most 12 digits so it cannot overflow.
    private static func octal(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ width: Int) -> Int? {
        var value = 0, digits = 0
        for index in start..<(start + width) {
            let byte = bytes[index]
            if byte == 0 || byte == 0x20 { if digits > 0 { break } else { continue } }
            guard (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(byte) else { return nil }
            value = value * 8 + Int(byte - UInt8(ascii: "0"))
            digits += 1
        }
        return digits > 0 ? value : nil
    }

    private static func headerName(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> String {
        let name = text(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + 100)]))
        let prefix = magic(bytes, offset) ? text(UnsafeRawBufferPointer(rebasing: bytes[(offset + 345)..<(offset + 500)])) : ""
        return prefix.isEmpty ? name : "\(prefix)/\(name)"
    }

    private static func text(_ bytes: UnsafeRawBufferPointer) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// The `path` record of a pax extended header (`"<length> path=<name>\n"` records).
    private static func paxPath(_ bytes: UnsafeRawBufferPointer) -> String? {
        for record in text(bytes).split(separator: "\n") {
            guard let space = record.firstIndex(of: " ") else { continue }
            let field = record[record.index(after: space)...]
            if field.hasPrefix("path=") { return String(field.dropFirst(5)) }
        }
        return nil
    }
}
