/// The fuzzer's input read as a stream of decisions (libFuzzer's FuzzedDataProvider idea): every read
/// takes the next bytes, and an exhausted stream reads as zeros, so any input drives a generator to a
/// complete, well-formed output and a one-byte mutation changes one decision.
struct FuzzChoices {
    private let bytes: UnsafeRawBufferPointer
    private var position = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Whether every byte has been used (further reads give zeros).
    var isExhausted: Bool { position >= bytes.count }

    mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    /// A number in `range`, from as few bytes as the range needs.
    mutating func integer(in range: ClosedRange<Int>) -> Int {
        let span = UInt64(bitPattern: Int64(range.upperBound) &- Int64(range.lowerBound))
        var value: UInt64 = 0
        var covered: UInt64 = 0
        while covered < span {
            value = value << 8 | UInt64(byte())
            covered = covered << 8 | 0xFF
        }
        let offset = span == .max ? value : value % (span + 1)
        return Int(truncatingIfNeeded: Int64(range.lowerBound) &+ Int64(bitPattern: offset))
    }

    mutating func bool() -> Bool { byte() & 1 == 1 }

    /// True with probability about `percent`%.
    mutating func chance(_ percent: Int) -> Bool { integer(in: 0...99) < percent }

    mutating func pick<T>(_ options: [T]) -> T { options[integer(in: 0...(options.count - 1))] }

    /// Up to `limit` raw bytes, length first.
    mutating func bytes(upTo limit: Int) -> [UInt8] {
        (0..<integer(in: 0...limit)).map { _ in byte() }
    }

    /// A 64-bit pattern, for the numbers that probe limits (negative, huge, zero).
    mutating func wideInteger() -> Int {
        switch integer(in: 0...7) {
        case 0: return 0
        case 1: return -1
        case 2: return Int.max
        case 3: return Int.min
        case 4: return 1 << integer(in: 0...62)
        default: return integer(in: -4...64)
        }
    }
}
