/// How a pooling window folds its cells into one value, on single floats and on eight lanes alike.
protocol WindowReduction {
    /// The value of a window cell that lies in the padding.
    static var empty: Float { get }
    static func combine(_ a: Float, _ b: Float) -> Float
    static func combine(_ a: Float8, _ b: Float8) -> Float8
}

/// Max pooling's reduction: the larger value, and NaN wherever either side is NaN (as PyTorch's
/// `max_pool2d`); padding is −∞ so it never wins.
enum MaximumReduction: WindowReduction {
    static var empty: Float { -.infinity }

    @inline(__always) static func combine(_ a: Float, _ b: Float) -> Float { b > a || b.isNaN ? b : a }

    @inline(__always) static func combine(_ a: Float8, _ b: Float8) -> Float8 {
        a.replacing(with: b, where: b .> a .| b .!= b)
    }
}

/// Average pooling's reduction before the divisor: the sum; padding adds zero.
enum SumReduction: WindowReduction {
    static var empty: Float { 0 }
    @inline(__always) static func combine(_ a: Float, _ b: Float) -> Float { a + b }
    @inline(__always) static func combine(_ a: Float8, _ b: Float8) -> Float8 { a + b }
}
