extension Float {
    /// Converts IEEE 754 binary16 bits (torch.float16) exactly, subnormals, infinities and NaN included.
    /// Written out rather than using `Float16`, which is missing on some platforms (macOS x86_64).
    @inline(__always)
    init(halfBits h: UInt16) {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = Int((h >> 10) & 0x1F)
        let mantissa = UInt32(h & 0x3FF)
        if exponent == 0x1F {
            self.init(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        } else if exponent != 0 {
            self.init(bitPattern: sign | (UInt32(exponent + 112) << 23) | (mantissa << 13))
        } else if mantissa == 0 {
            self.init(bitPattern: sign)
        } else {
            let magnitude = Float(mantissa) * 0x1p-24
            self = sign != 0 ? -magnitude : magnitude
        }
    }
}
