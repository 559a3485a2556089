/// The NUL-terminated text in a fixed-size C `char` array imported as a tuple.
func cMessage<Buffer>(_ buffer: UnsafePointer<Buffer>) -> String {
    UnsafeRawPointer(buffer).withMemoryRebound(to: CChar.self, capacity: MemoryLayout<Buffer>.size) { start in
        let bytes = UnsafeBufferPointer(start: start, count: MemoryLayout<Buffer>.size)
        let end = bytes.firstIndex(of: 0) ?? bytes.count
        return String(decoding: bytes[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
