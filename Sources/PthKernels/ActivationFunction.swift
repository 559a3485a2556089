import Foundation

/// An elementwise nonlinearity as kernels apply it, in place or fused into an epilogue.
/// Formulas are PyTorch's (`hardswish(x) = x·relu6(x+3)/6`, `silu(x) = x·σ(x)`).
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

    @inline(__always)
    private static func map(_ values: UnsafeMutablePointer<Float>, _ count: Int, _ f: (Float8) -> Float8) {
        var i = 0
        while i + 8 <= count {
            values.store8(f(values.load8(i)), i)
            i += 8
        }
        if i < count {
            var tail = Float8(repeating: 0)
            for j in i..<count { tail[j - i] = values[j] }
            tail = f(tail)
            for j in i..<count { values[j] = tail[j - i] }
        }
    }

    /// The function on 8 lanes; the transcendental ones use `Kernels.exp`, a polynomial `eˣ`.
    @inline(__always)
    func apply(_ x: Float8) -> Float8 {
        let zero = Float8(repeating: 0), three = Float8(repeating: 3), six = Float8(repeating: 6)
        switch self {
        case .identity: return x
        case .relu: return x.replacing(with: zero, where: x .< zero)
        case .relu6: return Kernels.clamp(x, zero, six)
        case .silu: return x * Kernels.sigmoid(x)
        case .sigmoid: return Kernels.sigmoid(x)
        case .hardswish: return x * Kernels.clamp(x + three, zero, six) / six
        case .hardsigmoid: return Kernels.clamp(x + three, zero, six) / six
        }
    }
}
