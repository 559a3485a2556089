import Foundation

/// An elementwise nonlinearity as kernels apply it, in place or fused into an epilogue.
/// Formulas are PyTorch's (`hardswish(x) = x·relu6(x+3)/6`, `silu(x) = x / (1 + e⁻ˣ)`).
public enum ActivationFunction: Sendable, Equatable {
    case identity, relu, relu6, silu, sigmoid, hardswish, hardsigmoid

    /// Multiplies `count` values at `values` by `scale`, adds `bias`, then applies the function, in
    /// place: the epilogue of conv (scale = a folded BatchNorm's factor) and linear, and standalone
    /// activations (scale 1, bias 0). One loop per function, so the hot loop carries no dispatch; a
    /// partial last vector goes through the same lanes as the rest, so every element sees the same arithmetic.
    public func apply(_ values: UnsafeMutablePointer<Float>, count: Int, scale: Float = 1, bias: Float = 0) {
        // One fused multiply-add: with scale 1 it rounds exactly as the plain `x + bias` would.
        let b = Float8(repeating: bias), s = Float8(repeating: scale)
        switch self {
        case .identity: if scale != 1 || bias != 0 { Self.map(values, count) { b.addingProduct($0, s) } }
        case .relu: Self.map(values, count) { ActivationFunction.relu.apply(b.addingProduct($0, s)) }
        case .relu6: Self.map(values, count) { ActivationFunction.relu6.apply(b.addingProduct($0, s)) }
        case .silu: Self.map(values, count) { ActivationFunction.silu.apply(b.addingProduct($0, s)) }
        case .sigmoid: Self.map(values, count) { ActivationFunction.sigmoid.apply(b.addingProduct($0, s)) }
        case .hardswish: Self.map(values, count) { ActivationFunction.hardswish.apply(b.addingProduct($0, s)) }
        case .hardsigmoid: Self.map(values, count) { ActivationFunction.hardsigmoid.apply(b.addingProduct($0, s)) }
        }
    }

    /// Replaces each value by `f` of it, 8 at a time. A count that is not a multiple of 8 ends with
    /// the vector of the last 8 values, read before the loop changes any of them and stored after
    /// it, so the overlap is written twice with the same result and no lane is inserted one by one.
    @inline(__always)
    private static func map(_ values: UnsafeMutablePointer<Float>, _ count: Int, _ f: (Float8) -> Float8) {
        guard count >= 8 else {
            var short = Float8(repeating: 0)
            for j in 0..<count { short[j] = values[j] }
            short = f(short)
            for j in 0..<count { values[j] = short[j] }
            return
        }
        let last = f(values.load8(count - 8))
        var i = 0
        while i + 8 <= count {
            values.store8(f(values.load8(i)), i)
            i += 8
        }
        values.store8(last, count - 8)
    }

    /// The function on 8 lanes; the transcendental ones use `Kernels.exp`, a polynomial `eˣ`.
    @inline(__always)
    func apply(_ x: Float8) -> Float8 {
        let zero = Float8(repeating: 0), three = Float8(repeating: 3), six = Float8(repeating: 6)
        switch self {
        case .identity: return x
        case .relu: return x.replacing(with: zero, where: x .< zero)
        case .relu6: return Kernels.clamp(x, zero, six)
        case .silu: return x / (Float8(repeating: 1) + Kernels.exp(-x))
        case .sigmoid: return Kernels.sigmoid(x)
        case .hardswish: return x * Kernels.clamp(x + three, zero, six) / six
        case .hardsigmoid: return Kernels.clamp(x + three, zero, six) / six
        }
    }
}
