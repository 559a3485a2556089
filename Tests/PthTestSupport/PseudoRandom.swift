/// `count` values in [-1, 1) from a fixed linear congruential sequence: the same numbers on every
/// machine and run, for inputs and weights whose values do not matter but must not be special.
public func pseudoRandom(count: Int, seed: UInt64) -> [Float] {
    var state = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return (0..<count).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Float(Double(state >> 40) / Double(1 << 23) - 1)
    }
}
