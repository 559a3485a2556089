/// The fixed-point filter taps of one resampling pass along one axis, computed exactly as
/// Pillow's `precompute_coeffs` + `normalize_coeffs_8bpc` compute them.
///
/// Output position `i` reads input samples `first[i] ..< first[i] + count[i]`, weighted by
/// `taps[i * stride ..< i * stride + count[i]]`, each a fraction scaled by 2^22.
struct ResampleWeights {
    /// Fraction bits of the taps: 32 − 8 − 2, leaving room for 8-bit samples and overshoot.
    static let precisionBits = 22

    let first: [Int]
    let count: [Int]
    let stride: Int
    let taps: [Int32]

    /// Taps for resampling `inSize` samples to `outSize` over the whole input range.
    init(inSize: Int, outSize: Int, filter: Interpolation) {
        // Pillow passes the box edges as C floats, exact for any real image size.
        let scale = Double(inSize) / Double(outSize)
        // Shrinking widens the filter so every input sample contributes (antialiasing).
        let filterScale = max(scale, 1)
        let support = filter.support * filterScale
        let stride = Int(support.rounded(.up)) * 2 + 1
        var first = [Int](repeating: 0, count: outSize)
        var count = [Int](repeating: 0, count: outSize)
        var taps = [Int32](repeating: 0, count: outSize * stride)
        var weights = [Double](repeating: 0, count: stride)
        let inverseScale = 1.0 / filterScale
        let one = Double(1 << ResampleWeights.precisionBits)
        for i in 0..<outSize {
            let center = (Double(i) + 0.5) * scale
            // C's (int) cast truncates toward zero; the +0.5 makes it round for positives.
            let low = max(Int(center - support + 0.5), 0)
            let high = min(Int(center + support + 0.5), inSize)
            let n = high - low
            var total = 0.0
            for x in 0..<n {
                let w = filter.weight((Double(x + low) - center + 0.5) * inverseScale)
                weights[x] = w
                total += w
            }
            for x in 0..<n {
                let w = total != 0 ? weights[x] / total : weights[x]
                taps[i * stride + x] = Int32(w < 0 ? -0.5 + w * one : 0.5 + w * one)
            }
            first[i] = low
            count[i] = n
        }
        self.first = first
        self.count = count
        self.stride = stride
        self.taps = taps
    }
}
