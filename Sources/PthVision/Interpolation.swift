/// A resampling filter as PIL defines it: the antialiased filters of `Resample.c`, and nearest
/// neighbour (PIL's affine scale, `Geometry.c`).
public enum Interpolation: String, Sendable, CaseIterable {
    /// The input pixel under each output pixel's centre, no filtering (PIL `NEAREST`).
    case nearest
    /// Triangle filter, support 1 (PIL `BILINEAR`).
    case bilinear
    /// Keys cubic convolution with a = −0.5, support 2 (PIL `BICUBIC`).
    case bicubic

    /// Half-width of the filter at scale 1, in input pixels.
    var support: Double {
        switch self {
        case .nearest: return 0
        case .bilinear: return 1
        case .bicubic: return 2
        }
    }

    /// The filter's weight at distance `x`, with PIL's exact double-precision expressions so
    /// the fixed-point coefficients derived from it round identically.
    @inline(__always)
    func weight(_ x: Double) -> Double {
        let x = x < 0 ? -x : x
        switch self {
        case .nearest:
            return x < 0.5 ? 1 : 0
        case .bilinear:
            return x < 1 ? 1 - x : 0
        case .bicubic:
            let a = -0.5
            if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
            if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
            return 0
        }
    }
}
