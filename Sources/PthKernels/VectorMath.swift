/// Eight-lane Float math the activation and depthwise kernels share (AVX2 registers hold 8 floats).
typealias Float8 = SIMD8<Float>

extension Kernels {
    /// `eˣ` for 8 lanes: Cody–Waite reduction `x = n·ln2 + r`, a degree-6 polynomial for `eʳ`
    /// (relative error ≈ 2 ulp), `2ⁿ` built in the exponent bits. Inputs are clamped to the
    /// range where the result is a normal float, which is all sigmoid and SiLU need.
    @inline(__always)
    static func exp(_ x: Float8) -> Float8 {
        let x = clamp(x, Float8(repeating: -87.3), Float8(repeating: 88.7))
        // Adding 1.5·2²³ rounds x·log₂e to an integer held in the low mantissa bits.
        let magic = Float8(repeating: 12_582_912)
        let shifted = x * Float8(repeating: 1.442_695_04) + magic
        let n = shifted - magic
        // Fused multiply-adds throughout (`c.addingProduct(a, b)` is one rounding of c + a·b).
        var r = x.addingProduct(-n, Float8(repeating: 0.693_145_752))
        r = r.addingProduct(-n, Float8(repeating: 1.428_606_82e-6))
        var p = Float8(repeating: 1.0 / 720)
        p = Float8(repeating: 1.0 / 120).addingProduct(p, r)
        p = Float8(repeating: 1.0 / 24).addingProduct(p, r)
        p = Float8(repeating: 1.0 / 6).addingProduct(p, r)
        p = Float8(repeating: 0.5).addingProduct(p, r)
        p = Float8(repeating: 1).addingProduct(p, r)
        p = Float8(repeating: 1).addingProduct(p, r)
        let bits = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000 &+ 127
        return p * unsafeBitCast(bits &<< 23, to: Float8.self)
    }

    /// `min(max(x, low), high)` per lane; the standard library's `clamped` is generic and does
    /// not inline into these loops.
    @inline(__always)
    static func clamp(_ x: Float8, _ low: Float8, _ high: Float8) -> Float8 {
        let above = x.replacing(with: low, where: x .< low)
        return above.replacing(with: high, where: above .> high)
    }

    /// `1 / (1 + e⁻ˣ)` for 8 lanes.
    @inline(__always)
    static func sigmoid(_ x: Float8) -> Float8 {
        Float8(repeating: 1) / (Float8(repeating: 1) + exp(-x))
    }
}

extension UnsafePointer where Pointee == Float {
    @inline(__always) func load8(_ offset: Int) -> Float8 {
        UnsafeRawPointer(self + offset).loadUnaligned(as: Float8.self)
    }

    /// Eight floats at stride 2 from `offset` (reads 16).
    @inline(__always) func loadEven8(_ offset: Int) -> Float8 {
        UnsafeRawPointer(self + offset).loadUnaligned(as: SIMD16<Float>.self).evenHalf
    }
}

extension UnsafeMutablePointer where Pointee == Float {
    @inline(__always) func load8(_ offset: Int) -> Float8 {
        UnsafeRawPointer(self + offset).loadUnaligned(as: Float8.self)
    }

    @inline(__always) func store8(_ value: Float8, _ offset: Int) {
        UnsafeMutableRawPointer(self + offset).storeBytes(of: value, as: Float8.self)
    }
}
