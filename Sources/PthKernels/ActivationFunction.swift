import Foundation

/// An elementwise nonlinearity as kernels apply it, in place or fused into an epilogue.
/// Formulas are PyTorch's (`hardswish(x) = x·relu6(x+3)/6`, `silu(x) = x·σ(x)`).
public enum ActivationFunction: Sendable, Equatable {
    case identity, relu, relu6, silu, sigmoid, hardswish, hardsigmoid

    /// Applies the function to `count` values at `values`, in place.
    public func apply(_ values: UnsafeMutablePointer<Float>, count: Int) {
        if self == .identity { return }
        var i = 0
        while i + 8 <= count {
            values.store8(apply(values.load8(i)), i)
            i += 8
        }
        for j in i..<count { values[j] = apply(values[j]) }
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

    /// The function on one value (loop tails), with libm's `expf`.
    @inline(__always)
    func apply(_ x: Float) -> Float {
        switch self {
        case .identity: return x
        case .relu: return max(x, 0)
        case .relu6: return min(max(x, 0), 6)
        case .silu: return x / (1 + expf(-x))
        case .sigmoid: return 1 / (1 + expf(-x))
        case .hardswish: return x * min(max(x + 3, 0), 6) / 6
        case .hardsigmoid: return min(max(x + 3, 0), 6) / 6
        }
    }

    /// Adds `bias` to `count` values then applies the function: the epilogue of conv and linear.
    public func apply(_ values: UnsafeMutablePointer<Float>, count: Int, bias: Float) {
        if bias != 0 { for i in 0..<count { values[i] += bias } }
        apply(values, count: count)
    }
}
