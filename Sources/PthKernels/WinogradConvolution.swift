/// A stride-1 3×3 convolution by Winograd's minimal filtering F(4×4, 3×3) (Lavin & Gray 2015):
/// each 6×6 input tile becomes a 4×4 output tile with 36 multiplies per channel pair instead of
/// 144, so the GEMM work of the conv drops 4× at the price of transforms on input and output.
///
/// The batch's tiles are laid side by side as the columns of 36 matrices (one per transform-domain
/// position), so one GEMM per position covers every image: `M[e] = U[e] · V[e]`, with `U` the
/// transformed weights `[out, in]` and `V` the transformed input `[in, tiles]`. Transforms run on
/// 8 tiles at once in SIMD lanes; bias and activation are fused into the output transform.
///
/// Numerics: the transforms use the points 0, ±1, ±2, whose coefficients (≤ 8, 1/24) keep float32
/// error near 1e-6 of the output's magnitude; the weight transform is done in Double.
final class WinogradConvolution {
    let inChannels: Int, outChannels: Int
    let padTop: Int, padBottom: Int, padLeft: Int, padRight: Int
    /// `[36][out][in]`: `G·g·Gᵀ` for every filter, position-major so each GEMM's A is contiguous.
    private let transformed: [Float]

    /// Transform-domain positions (6×6).
    static let positions = 36

    init(weights: UnsafePointer<Float>, geometry g: ConvolutionGeometry) {
        precondition(Self.supports(g), "Winograd F(4×4, 3×3) does not support \(g)")
        inChannels = g.inChannels; outChannels = g.outChannels
        padTop = g.padTop; padBottom = g.padBottom; padLeft = g.padLeft; padRight = g.padRight
        let gMatrix: [[Double]] = [[1.0 / 4, 0, 0], [-1.0 / 6, -1.0 / 6, -1.0 / 6], [-1.0 / 6, 1.0 / 6, -1.0 / 6],
                                   [1.0 / 24, 1.0 / 12, 1.0 / 6], [1.0 / 24, -1.0 / 12, 1.0 / 6], [0, 0, 1]]
        let pairs = g.outChannels * g.inChannels
        var u = [Float](repeating: 0, count: Self.positions * pairs)
        for pair in 0..<pairs {
            let filter = weights + pair * 9
            // (G·g) is 6×3, then (G·g)·Gᵀ is 6×6.
            var left = [[Double]](repeating: [0, 0, 0], count: 6)
            for a in 0..<6 {
                for j in 0..<3 {
                    left[a][j] = (0..<3).reduce(0) { $0 + gMatrix[a][$1] * Double(filter[$1 * 3 + j]) }
                }
            }
            for a in 0..<6 {
                for b in 0..<6 {
                    let value = (0..<3).reduce(0) { $0 + left[a][$1] * gMatrix[b][$1] }
                    u[(a * 6 + b) * pairs + pair] = Float(value)
                }
            }
        }
        transformed = u
    }

    /// Whether `g` is a convolution this kernel computes: 3×3, stride 1, no dilation, one group.
    static func supports(_ g: ConvolutionGeometry) -> Bool {
        g.kernelHeight == 3 && g.kernelWidth == 3 && g.strideHeight == 1 && g.strideWidth == 1
            && g.dilationHeight == 1 && g.dilationWidth == 1 && g.groups == 1
    }

    /// The tiling of a batch: 4×4 output tiles, their 6×6 input windows inside a zero-padded copy
    /// of the input, GEMM columns rounded up to whole 8-tile lanes.
    private struct Tiling {
        let outHeight: Int, outWidth: Int, tilesHigh: Int, tilesWide: Int
        let paddedHeight: Int, paddedWidth: Int, tiles: Int, columns: Int

        init(batch: Int, height: Int, width: Int, conv: WinogradConvolution) {
            outHeight = height + conv.padTop + conv.padBottom - 2
            outWidth = width + conv.padLeft + conv.padRight - 2
            tilesHigh = (outHeight + 3) / 4
            tilesWide = (outWidth + 3) / 4
            paddedHeight = 4 * tilesHigh + 2
            paddedWidth = 4 * tilesWide + 2
            tiles = batch * tilesHigh * tilesWide
            columns = (tiles + 7) / 8 * 8
        }

        var tilesPerImage: Int { tilesHigh * tilesWide }
        var paddedPlane: Int { paddedHeight * paddedWidth }
    }

    /// Floats of scratch `run` needs: the padded batch, then the transformed input and the GEMM results.
    func scratchCount(batch: Int, height: Int, width: Int) -> Int {
        let t = Tiling(batch: batch, height: height, width: width, conv: self)
        return batch * inChannels * t.paddedPlane + Self.positions * (inChannels + outChannels) * t.columns
    }

    /// Convolves `batch` NCHW images (strided as in `ConvolutionKernel.run`), adding `bias` and
    /// applying `activation` to every output.
    func run(input: UnsafePointer<Float>, inputStride: Int, height: Int, width: Int,
             output: UnsafeMutablePointer<Float>, outputStride: Int, batch: Int,
             bias: UnsafePointer<Float>, activation: ActivationFunction, scratch: UnsafeMutablePointer<Float>) {
        let t = Tiling(batch: batch, height: height, width: width, conv: self)
        let padded = scratch
        let v = padded + batch * inChannels * t.paddedPlane
        let m = v + Self.positions * inChannels * t.columns

        padded.update(repeating: 0, count: batch * inChannels * t.paddedPlane)
        for n in 0..<batch {
            for c in 0..<inChannels {
                let plane = input + n * inputStride + c * height * width
                let target = padded + (n * inChannels + c) * t.paddedPlane + padTop * t.paddedWidth + padLeft
                for h in 0..<height {
                    (target + h * t.paddedWidth).update(from: plane + h * width, count: width)
                }
            }
        }
        transformInput(padded, t, into: v)
        transformed.withUnsafeBufferPointer { u in
            for e in 0..<Self.positions {
                Kernels.gemm(m: outChannels, n: t.columns, k: inChannels,
                             a: u.baseAddress! + e * outChannels * inChannels, lda: inChannels,
                             b: v + e * inChannels * t.columns, ldb: t.columns,
                             c: m + e * outChannels * t.columns, ldc: t.columns)
            }
        }
        transformOutput(m, t, bias: bias, activation: activation, into: output, stride: outputStride)
    }

    /// `V[e][c][tile] = (Bᵀ·d·B)[e]` for every channel `c` and tile's 6×6 window `d`.
    private func transformInput(_ padded: UnsafePointer<Float>, _ t: Tiling, into v: UnsafeMutablePointer<Float>) {
        let plane = t.paddedPlane, width = t.paddedWidth, columns = t.columns
        withUnsafeTemporaryAllocation(of: Float8.self, capacity: 36) { rows in
            let rows = rows.baseAddress!
            var first = 0
            while first < t.tiles {
                // Window origin of each lane's tile; lanes past the last tile repeat it (their columns are never read back).
                @inline(__always) func origin(_ lane: Int) -> Int {
                    let k = min(first + lane, t.tiles - 1)
                    let n = k / t.tilesPerImage, r = k % t.tilesPerImage
                    return n * inChannels * plane + 4 * (r / t.tilesWide) * width + 4 * (r % t.tilesWide)
                }
                do {
                    let (o0, o1, o2, o3) = (origin(0), origin(1), origin(2), origin(3))
                    let (o4, o5, o6, o7) = (origin(4), origin(5), origin(6), origin(7))
                    for c in 0..<inChannels {
                        let base = padded + c * plane
                        // Bᵀ·d down each column j, then Bᵀ along each resulting row.
                        for j in 0..<6 {
                            @inline(__always) func at(_ i: Int) -> Float8 {
                                let p = base + i * width + j
                                return Float8(p[o0], p[o1], p[o2], p[o3], p[o4], p[o5], p[o6], p[o7])
                            }
                            let d = Self.inputRows(at(0), at(1), at(2), at(3), at(4), at(5))
                            rows[0 * 6 + j] = d.0; rows[1 * 6 + j] = d.1; rows[2 * 6 + j] = d.2
                            rows[3 * 6 + j] = d.3; rows[4 * 6 + j] = d.4; rows[5 * 6 + j] = d.5
                        }
                        let target = v + c * columns + first
                        let step = inChannels * columns
                        for a in 0..<6 {
                            let r = rows + a * 6
                            let e = Self.inputRows(r[0], r[1], r[2], r[3], r[4], r[5])
                            let out = target + a * 6 * step
                            out.store8(e.0, 0); out.store8(e.1, step); out.store8(e.2, 2 * step)
                            out.store8(e.3, 3 * step); out.store8(e.4, 4 * step); out.store8(e.5, 5 * step)
                        }
                    }
                }
                first += 8
            }
        }
    }

    /// Output tiles `Aᵀ·M·A` plus bias, through the activation, into the NCHW output (partial tiles at the edges clipped).
    private func transformOutput(_ m: UnsafePointer<Float>, _ t: Tiling, bias: UnsafePointer<Float>, activation: ActivationFunction,
                                 into output: UnsafeMutablePointer<Float>, stride outputStride: Int) {
        let columns = t.columns, step = outChannels * columns
        let outPlane = t.outHeight * t.outWidth
        // Per tile: offset of its top-left output in channel 0, and how many of its rows and columns exist.
        var origin = [Int](repeating: 0, count: t.tiles)
        var rowsValid = [Int](repeating: 0, count: t.tiles), colsValid = [Int](repeating: 0, count: t.tiles)
        for k in 0..<t.tiles {
            let n = k / t.tilesPerImage, r = k % t.tilesPerImage
            let th = r / t.tilesWide, tx = r % t.tilesWide
            origin[k] = n * outputStride + 4 * th * t.outWidth + 4 * tx
            rowsValid[k] = min(4, t.outHeight - 4 * th)
            colsValid[k] = min(4, t.outWidth - 4 * tx)
        }
        withUnsafeTemporaryAllocation(of: Float8.self, capacity: 28) { partial in
            let partial = partial.baseAddress!
            for o in 0..<outChannels {
                let b = Float8(repeating: bias[o])
                let channel = output + o * outPlane
                var first = 0
                while first < t.tiles {
                    let source = m + o * columns + first
                    for j in 0..<6 {
                        @inline(__always) func at(_ i: Int) -> Float8 { source.load8((i * 6 + j) * step) }
                        let s = Self.outputRows(at(0), at(1), at(2), at(3), at(4), at(5))
                        partial[0 * 6 + j] = s.0; partial[1 * 6 + j] = s.1; partial[2 * 6 + j] = s.2; partial[3 * 6 + j] = s.3
                    }
                    let lanes = min(8, t.tiles - first)
                    for a in 0..<4 {
                        let r = partial + a * 6
                        let y = Self.outputRows(r[0], r[1], r[2], r[3], r[4], r[5])
                        let values = partial + 24
                        values[0] = activation.apply(y.0 + b); values[1] = activation.apply(y.1 + b)
                        values[2] = activation.apply(y.2 + b); values[3] = activation.apply(y.3 + b)
                        for lane in 0..<lanes {
                            let k = first + lane
                            guard a < rowsValid[k] else { continue }
                            let row = channel + origin[k] + a * t.outWidth
                            for x in 0..<colsValid[k] { row[x] = values[x][lane] }
                        }
                    }
                    first += 8
                }
            }
        }
    }

    /// `Bᵀ·d` for one 6-vector of lanes.
    @inline(__always)
    private static func inputRows(_ d0: Float8, _ d1: Float8, _ d2: Float8, _ d3: Float8, _ d4: Float8, _ d5: Float8)
        -> (Float8, Float8, Float8, Float8, Float8, Float8) {
        let four = Float8(repeating: 4), five = Float8(repeating: 5), two = Float8(repeating: 2)
        let a = d4 - four * d2, b = d3 - four * d1
        let c = d4 - d2, e = two * (d3 - d1)
        return (four * d0 - five * d2 + d4, a + b, a - b, c + e, c - e, four * d1 - five * d3 + d5)
    }

    /// `Aᵀ·m` for one 6-vector of lanes.
    @inline(__always)
    private static func outputRows(_ m0: Float8, _ m1: Float8, _ m2: Float8, _ m3: Float8, _ m4: Float8, _ m5: Float8)
        -> (Float8, Float8, Float8, Float8) {
        let p = m1 + m2, q = m1 - m2, r = m3 + m4, s = m3 - m4
        return (m0 + p + r, q + Float8(repeating: 2) * s, p + Float8(repeating: 4) * r, q + Float8(repeating: 8) * s + m5)
    }
}
