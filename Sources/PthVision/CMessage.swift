/// The NUL-terminated text in a fixed-size C `char` array imported as a tuple, on one line:
/// a library's line breaks and other control characters become spaces, and the ends are trimmed.
func cMessage<Buffer>(_ buffer: UnsafePointer<Buffer>) -> String {
    UnsafeRawPointer(buffer).withMemoryRebound(to: CChar.self, capacity: MemoryLayout<Buffer>.size) { start in
        let bytes = UnsafeBufferPointer(start: start, count: MemoryLayout<Buffer>.size)
        let end = bytes.firstIndex(of: 0) ?? bytes.count
        let text = String(decoding: bytes[..<end].map { $0 >= 0 && $0 < 0x20 ? 0x20 : UInt8(bitPattern: $0) }, as: UTF8.self)
        return String(text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
