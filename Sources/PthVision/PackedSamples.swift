/// Samples of 1, 2 or 4 bits packed most significant bits first, as BMP and TIFF store them.
enum PackedSamples {
    /// Spreads `count` samples of `bits` bits from `source` to one byte each at `destination`,
    /// values unscaled.
    static func unpack(_ source: UnsafePointer<UInt8>, bits: Int, count: Int, into destination: UnsafeMutablePointer<UInt8>) {
        let perByte = 8 / bits, mask = (1 << bits) - 1
        for i in 0..<count {
            let shift = 8 - bits * (i % perByte + 1)
            destination[i] = UInt8(Int(source[i / perByte]) >> shift & mask)
        }
    }
}
