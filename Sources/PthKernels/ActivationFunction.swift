import CKernels

/// An elementwise nonlinearity as kernels apply it, in place or fused into an epilogue.
/// Formulas are PyTorch's (`hardswish(x) = x·relu6(x+3)/6`, `silu(x) = x / (1 + e⁻ˣ)`); the
/// transcendental ones use a polynomial `eˣ` (≈ 2 ulp).
public enum ActivationFunction: Sendable, Equatable {
    case identity, relu, relu6, silu, sigmoid, hardswish, hardsigmoid

    /// Multiplies `count` values at `values` by `scale`, adds `bias`, then applies the function, in
    /// place: the epilogue of conv (scale = a folded BatchNorm's factor) and linear, and standalone
    /// activations (scale 1, bias 0). The loops are C compiled for AVX-512, AVX2 and the baseline
    /// and picked for the CPU at load time (`CKernels`); every element sees the same arithmetic
    /// (one fused multiply-add, then the function) wherever it falls in a vector.
    public func apply(_ values: UnsafeMutablePointer<Float>, count: Int, scale: Float = 1, bias: Float = 0) {
        pth_activation(kind, values, values, count, scale, bias)
    }

    /// The same, reading `count` values at `input` and writing them to `output` (which must not
    /// overlap `input`) in one pass.
    public func apply(
        from input: UnsafePointer<Float>, to output: UnsafeMutablePointer<Float>, count: Int,
        scale: Float = 1, bias: Float = 0
    ) {
        pth_activation(kind, input, output, count, scale, bias)
    }

    /// `output = f(scale·input + bias + residual)` for `count` values in one pass: the multiply-add,
    /// then the residual (rounded once, as a separate add), then the function as `apply` applies it
    /// (a residual connection finished outside the packed GEMM's store). `input` may be `output`;
    /// `residual` must not overlap `output`.
    public func apply(
        from input: UnsafePointer<Float>, adding residual: UnsafePointer<Float>, to output: UnsafeMutablePointer<Float>,
        count: Int, scale: Float = 1, bias: Float = 0
    ) {
        pth_activation_residual(kind, input, residual, output, count, scale, bias)
    }

    /// The function in the C loops' terms.
    var kind: pth_activation_kind {
        switch self {
        case .identity: pth_identity
        case .relu: pth_relu
        case .relu6: pth_relu6
        case .silu: pth_silu
        case .sigmoid: pth_sigmoid
        case .hardswish: pth_hardswish
        case .hardsigmoid: pth_hardsigmoid
        }
    }
}
