import Foundation

/// An elementwise nonlinearity as kernels apply it, in place or fused into an epilogue.
/// Formulas are PyTorch's (`hardswish(x) = x·relu6(x+3)/6`, `silu(x) = x·σ(x)`).
public enum ActivationFunction: Sendable, Equatable {
    case identity, relu, relu6, silu, sigmoid, hardswish, hardsigmoid

    /// Applies the function to `count` values at `values`, in place.
    public func apply(_ values: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .identity: return
        case .relu: for i in 0..<count { values[i] = max(values[i], 0) }
        case .relu6: for i in 0..<count { values[i] = min(max(values[i], 0), 6) }
        case .silu: for i in 0..<count { let x = values[i]; values[i] = x / (1 + expf(-x)) }
        case .sigmoid: for i in 0..<count { values[i] = 1 / (1 + expf(-values[i])) }
        case .hardswish: for i in 0..<count { let x = values[i]; values[i] = x * min(max(x + 3, 0), 6) / 6 }
        case .hardsigmoid: for i in 0..<count { values[i] = min(max(values[i] + 3, 0), 6) / 6 }
        }
    }

    /// Adds `bias` to `count` values then applies the function: the epilogue of conv and linear.
    public func apply(_ values: UnsafeMutablePointer<Float>, count: Int, bias: Float) {
        if bias != 0 { for i in 0..<count { values[i] += bias } }
        apply(values, count: count)
    }
}
