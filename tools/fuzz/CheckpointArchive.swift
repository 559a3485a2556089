/// Wraps a generated pickle program in each layout torch.save has used: a zip (written here as
/// STORED entries, the way torch writes them), the legacy stream, and the 2017 tar. Storage sizes
/// follow what the program declared, except where the choices damage them.
enum CheckpointArchive {
    static func make(_ format: PickleProgram.Format, _ program: PickleProgram, _ pickle: [UInt8], _ choices: inout FuzzChoices) -> [UInt8] {
        switch format {
        case .zip: return zip(program, pickle, &choices)
        case .legacy: return legacy(program, pickle, &choices)
        case .tar: return tar(program, pickle, &choices)
        }
    }

    /// Each storage once by key, in first-use order.
    private static func distinctStorages(_ program: PickleProgram) -> [PickleProgram.Storage] {
        var seen = Set<String>()
        return program.storages.filter { seen.insert($0.key).inserted }
    }

    /// A storage's elements: its declared size, sometimes a few bytes short or long.
    private static func elements(_ storage: PickleProgram.Storage, _ choices: inout FuzzChoices) -> [UInt8] {
        var size = storage.count * storage.elementSize
        if choices.chance(5) { size = max(0, size + choices.integer(in: -3...3)) }
        let seed = choices.byte()
        return (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ Int(seed)) }
    }

    private static func littleEndian(_ value: UInt64, _ width: Int) -> [UInt8] {
        (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }

    // MARK: - Zip

    private static func zip(_ program: PickleProgram, _ pickle: [UInt8], _ choices: inout FuzzChoices) -> [UInt8] {
        let root = choices.pick(["archive", "model", "a"])
        var members: [(String, [UInt8])] = [("\(root)/data.pkl", pickle)]
        switch choices.integer(in: 0...9) {
        case 0: break
        case 1: members.append(("\(root)/byteorder", Array("big".utf8)))
        case 2: members.append(("\(root)/byteorder", Array("middle".utf8)))
        default: members.append(("\(root)/byteorder", Array("little".utf8)))
        }
        for storage in distinctStorages(program) where choices.chance(97) {
            members.append(("\(root)/data/\(storage.key)", elements(storage, &choices)))
        }
        members.append(("\(root)/version", Array("3\n".utf8)))
        if choices.chance(5) { members.swapAt(0, members.count - 1) }
        return StoredZip.archive(members)
    }

    // MARK: - Legacy

    private static let legacyMagic: [UInt8] = [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19, 0x2E]
    private static let legacyVersion: [UInt8] = [0x80, 0x02, 0x4D, 0xE9, 0x03, 0x2E]

    private static func legacy(_ program: PickleProgram, _ pickle: [UInt8], _ choices: inout FuzzChoices) -> [UInt8] {
        var out = legacyMagic + legacyVersion + Array("}.".utf8) + pickle
        let storages = distinctStorages(program).filter { _ in choices.chance(97) }
        // The key list: `(X<len>key … l.` with BINUNICODE strings.
        out += [0x80, 0x02, 0x28]
        for storage in storages {
            out += [0x58] + littleEndian(UInt64(storage.key.utf8.count), 4) + Array(storage.key.utf8)
        }
        out += [0x6C, 0x2E]
        for storage in storages {
            let data = elements(storage, &choices)
            let count = choices.chance(95) ? storage.count : choices.wideInteger()
            out += littleEndian(UInt64(bitPattern: Int64(count)), 8) + data
        }
        return out
    }

    // MARK: - Tar

    private static func tar(_ program: PickleProgram, _ pickle: [UInt8], _ choices: inout FuzzChoices) -> [UInt8] {
        var storagesMember = pickledInt(distinctStorages(program).count)
        for storage in distinctStorages(program) {
            storagesMember += recordHeader(storage.key, "cpu", ("torch", storage.typeName))
            let data = elements(storage, &choices)
            storagesMember += littleEndian(UInt64(data.count / max(storage.elementSize, 1)), 8) + data
        }
        storagesMember += Array("]".utf8) + (choices.chance(10) ? viewList(program, &choices) : []) + Array(".".utf8)

        var tensorsMember = pickledInt(program.tarTensors.count)
        for tensor in program.tarTensors {
            tensorsMember += recordHeader(tensor.key, tensor.storageKey, ("torch", "FloatTensor"))
            tensorsMember += littleEndian(UInt64(tensor.shape.count), 4) + [0, 0, 0, 0]
            for value in tensor.shape + tensor.strides + [tensor.offset] {
                tensorsMember += littleEndian(UInt64(bitPattern: Int64(value)), 8)
            }
        }
        var members = [("sys_info", Array("\u{80}\u{02}}.".utf8)), ("pickle", pickle), ("tensors", tensorsMember), ("storages", storagesMember)]
        if choices.chance(5) { members.remove(at: choices.integer(in: 0...3)) }
        return TarWriter.archive(members)
    }

    /// APPENDS of `(view_key, root_key, offset, numel)` views onto the `]` already written.
    private static func viewList(_ program: PickleProgram, _ choices: inout FuzzChoices) -> [UInt8] {
        var out: [UInt8] = [0x28]
        for storage in distinctStorages(program).prefix(2) {
            out += [0x28] + unicode("v" + storage.key) + unicode(storage.key)
            out += [0x4A] + littleEndian(UInt64(bitPattern: Int64(choices.integer(in: -1...4))), 4)
            out += [0x4A] + littleEndian(UInt64(bitPattern: Int64(choices.integer(in: 0...8))), 4) + [0x74]
        }
        return out + [0x65]
    }

    private static func pickledInt(_ value: Int) -> [UInt8] {
        [0x80, 0x02, 0x4A] + littleEndian(UInt64(value), 4) + [0x2E]
    }

    private static func unicode(_ text: String) -> [UInt8] {
        [0x58] + littleEndian(UInt64(text.utf8.count), 4) + Array(text.utf8)
    }

    /// A pickled `(key, second, module.name)` record header of the tar format's `storages` and `tensors` members.
    private static func recordHeader(_ key: String, _ second: String, _ global: (String, String)) -> [UInt8] {
        [0x80, 0x02] + unicode(key) + unicode(second) + Array("c\(global.0)\n\(global.1)\n".utf8) + [0x87, 0x2E]
    }
}

/// A zip of STORED members with correct CRCs, sizes and offsets: just enough of the format for the loader.
enum StoredZip {
    static func archive(_ members: [(name: String, data: [UInt8])]) -> [UInt8] {
        var out = [UInt8](), directory = [UInt8]()
        for member in members {
            let name = Array(member.name.utf8)
            let crc = crc32(member.data)
            let offset = out.count
            out +=
                le32(0x0403_4B50) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21) + le32(crc)
                + le32(UInt32(member.data.count)) + le32(UInt32(member.data.count)) + le16(UInt16(name.count)) + le16(0) + name + member.data
            directory +=
                le32(0x0201_4B50) + le16(20) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21) + le32(crc)
                + le32(UInt32(member.data.count)) + le32(UInt32(member.data.count)) + le16(UInt16(name.count))
                + le16(0) + le16(0) + le16(0) + le16(0) + le32(0) + le32(UInt32(offset)) + name
        }
        let directoryOffset = out.count
        out += directory
        out +=
            le32(0x0605_4B50) + le16(0) + le16(0) + le16(UInt16(members.count)) + le16(UInt16(members.count))
            + le32(UInt32(directory.count)) + le32(UInt32(directoryOffset)) + le16(0)
        return out
    }

    private static func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
    private static func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }

    /// CRC-32 (the zip polynomial 0xEDB88320), bit by bit: the members here are small.
    private static func crc32(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}

/// A ustar archive of regular files with valid header checksums.
enum TarWriter {
    static func archive(_ members: [(name: String, data: [UInt8])]) -> [UInt8] {
        var out = [UInt8]()
        for member in members {
            var header = [UInt8](repeating: 0, count: 512)
            func field(_ offset: Int, _ text: String) { for (index, byte) in text.utf8.enumerated() { header[offset + index] = byte } }
            field(0, member.name)
            field(100, "0000644")
            field(108, "0000000")
            field(116, "0000000")
            field(124, octal(member.data.count, 11))
            field(136, "00000000000")
            header[156] = UInt8(ascii: "0")
            field(257, "ustar")
            field(263, "00")
            let sum = header.enumerated().reduce(0) { $0 + ((148..<156).contains($1.offset) ? 0x20 : Int($1.element)) }
            field(148, octal(sum, 6) + "\0 ")
            out += header + member.data + [UInt8](repeating: 0, count: (512 - member.data.count % 512) % 512)
        }
        return out + [UInt8](repeating: 0, count: 1024)
    }

    private static func octal(_ value: Int, _ width: Int) -> String {
        let digits = String(value, radix: 8)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
