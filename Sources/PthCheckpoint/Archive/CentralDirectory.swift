/// Walks a zip's end-of-central-directory record (zip64 included) and central directory,
/// every field bounds-checked against the file, to learn each entry's local header offset.
enum CentralDirectory {
    private static let endSignature: UInt32 = 0x0605_4B50
    private static let zip64LocatorSignature: UInt32 = 0x0706_4B50
    private static let zip64EndSignature: UInt32 = 0x0606_4B50
    private static let entrySignature: UInt32 = 0x0201_4B50

    static func read(_ bytes: UnsafeRawBufferPointer) throws -> [ZipArchive.Entry] {
        let end = try findEnd(bytes)
        var count = Int(LittleEndian.uint16(bytes, end + 10))
        var offset = Int(LittleEndian.uint32(bytes, end + 16))
        if count == 0xFFFF || offset == 0xFFFF_FFFF {
            let locator = end - 20
            guard locator >= 0, LittleEndian.uint32(bytes, locator) == zip64LocatorSignature else {
                throw CheckpointError("zip", "end record defers to zip64 but there is no zip64 locator")
            }
            let record = LittleEndian.uint64(bytes, locator + 8)
            guard bytes.count >= 56, record <= UInt64(bytes.count - 56), LittleEndian.uint32(bytes, Int(record)) == zip64EndSignature else {
                throw CheckpointError("zip", "zip64 end record offset \(record) is not inside the file")
            }
            let count64 = LittleEndian.uint64(bytes, Int(record) + 32)
            let offset64 = LittleEndian.uint64(bytes, Int(record) + 48)
            guard count64 <= UInt64(bytes.count / 46), offset64 <= UInt64(bytes.count) else {
                throw CheckpointError("zip", "zip64 end record claims \(count64) entries at offset \(offset64) in a \(bytes.count)-byte file")
            }
            count = Int(count64)
            offset = Int(offset64)
        }
        guard count <= bytes.count / 46 else {
            throw CheckpointError("zip", "central directory claims \(count) entries, more than fit in \(bytes.count) bytes")
        }
        var entries = [ZipArchive.Entry]()
        entries.reserveCapacity(count)
        for index in 0..<count {
            guard offset <= bytes.count - 46, LittleEndian.uint32(bytes, offset) == entrySignature else {
                throw CheckpointError("zip", "central directory entry \(index) at offset \(offset) is missing or truncated")
            }
            let method = LittleEndian.uint16(bytes, offset + 10)
            var compressed = UInt64(LittleEndian.uint32(bytes, offset + 20))
            var size = UInt64(LittleEndian.uint32(bytes, offset + 24))
            let nameLength = Int(LittleEndian.uint16(bytes, offset + 28))
            let extraLength = Int(LittleEndian.uint16(bytes, offset + 30))
            let commentLength = Int(LittleEndian.uint16(bytes, offset + 32))
            var header = UInt64(LittleEndian.uint32(bytes, offset + 42))
            let nameStart = offset + 46
            let next = nameStart + nameLength + extraLength + commentLength
            guard next <= bytes.count else {
                throw CheckpointError("zip", "central directory entry \(index) runs past the end of the file")
            }
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[nameStart..<(nameStart + nameLength)]), as: UTF8.self)
            // zip64 extended information: the 64-bit values of whichever fields were saturated, in this order.
            var extra = nameStart + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = LittleEndian.uint16(bytes, extra), length = Int(LittleEndian.uint16(bytes, extra + 2))
                let body = extra + 4
                guard body + length <= extraEnd else { break }
                if id == 0x0001 {
                    var field = body
                    func widen(_ value: inout UInt64) {
                        guard value == 0xFFFF_FFFF, field + 8 <= body + length else { return }
                        value = LittleEndian.uint64(bytes, field)
                        field += 8
                    }
                    widen(&size)
                    widen(&compressed)
                    widen(&header)
                }
                extra = body + length
            }
            guard size <= UInt64(Int.max), compressed <= UInt64(bytes.count), header <= UInt64(bytes.count) else {
                throw CheckpointError(
                    name, "central directory sizes (\(compressed) compressed, \(size)) or offset \(header) exceed the \(bytes.count)-byte file")
            }
            entries.append(ZipArchive.Entry(name: name, method: method, compressedSize: Int(compressed), size: Int(size), localHeaderOffset: Int(header)))
            offset = next
        }
        return entries
    }

    /// The end-of-central-directory record: searched backwards over the last 64 KiB + 22 bytes (the comment may follow it).
    private static func findEnd(_ bytes: UnsafeRawBufferPointer) throws -> Int {
        guard bytes.count >= 22 else { throw CheckpointError("zip", "file of \(bytes.count) bytes is too short for a zip") }
        let lowest = max(0, bytes.count - 22 - 0xFFFF)
        var candidate = bytes.count - 22
        while candidate >= lowest {
            if LittleEndian.uint32(bytes, candidate) == endSignature { return candidate }
            candidate -= 1
        }
        throw CheckpointError("zip", "no end of central directory record (truncated archive?)")
    }
}
