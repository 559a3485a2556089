import CKernels
import PthFoundation

/// A stride-1 1×7, 7×1, 1×3 or 3×1 convolution by Winograd's minimal filtering along the filter's
/// axis. For 7 taps, F(2, 7): each run of 8 inputs along it gives 2 outputs with 8 multiplies per
/// channel pair instead of 14, so the GEMM work drops 1.75× (less the tiles that reach past the map's
/// edge). For 3 taps, F(4, 3): 6 inputs give 4 outputs with 6 multiplies instead of 12, with the
/// transforms of `WinogradConvolution`'s F(4×4, 3×3) along one axis.
///
/// F(2, 7)'s points are 0, ±1, ±2, ±½ and ∞. With its input transform scaled to whole numbers (at
/// most 21) and the factor moved into the filters, float32 outputs stay within about 1e-6 of the
/// output's magnitude (2× a direct sum's error, measured on 192-channel sums).
///
/// Laid out as `WinogradConvolution` is: the input copied into a zero-padded channel-blocked copy
/// (`ChannelBlocks`), the transformed input `V` and the GEMM results `M` as `[tile][position][channel]`,
/// and one GEMM per position (`M[e]ᵀ = U[e]·V[e]ᵀ`, the packed micro-kernel's transposed product) with
/// the transformed filters `U[e]` packed once, when the kernel is made, as A. The transformed filters
/// take 8/7 of the conv's weights (2× for 3 taps) and replace them.
final class LineWinogradConvolution: Sendable {
    let inChannels: Int, outChannels: Int
    let padTop: Int, padBottom: Int, padLeft: Int, padRight: Int
    /// Whether the filter runs down the columns (7×1, 3×1) rather than along the rows (1×7, 1×3).
    let isVertical: Bool
    /// The filter's taps (7 or 3), and the outputs of a tile (2 or 4) from `positions` inputs.
    let taps: Int, tileSize: Int, positions: Int
    /// Per position `e`, the `out × in` matrix of `scale[o]·(G·g)[e]`, packed for the micro-kernel,
    /// the 8 matrices `filterStride` floats apart.
    private let filters: [Float]
    private let filterStride: Int
    /// The micro-kernel the filters are packed for.
    private let instructionSet: InstructionSet
    /// The bias, zero-extended to whole 8-channel blocks.
    private let blockBias: [Float]

    private var inBlocks: Int { (inChannels + 7) / 8 }
    private var outBlocks: Int { (outChannels + 7) / 8 }

    /// Whether `g` is a convolution this kernel computes: 1×7, 7×1, 1×3 or 3×1, stride 1, no
    /// dilation, one group.
    static func supports(_ g: ConvolutionGeometry) -> Bool {
        let taps = max(g.kernelHeight, g.kernelWidth)
        return min(g.kernelHeight, g.kernelWidth) == 1 && (taps == 7 || taps == 3) && g.strideHeight == 1 && g.strideWidth == 1 && g.dilationHeight == 1
            && g.dilationWidth == 1
            && g.groups == 1
    }

    /// `weights`: PyTorch's `[out, in, 1, k]` or `[out, in, k, 1]`. `scale[o]` (a folded BatchNorm's
    /// factor) is multiplied into output channel `o`'s transformed filters, in Double with the
    /// transform. `split` cuts the filters over cores.
    init(
        weights: UnsafePointer<Float>, scale: [Float], bias: [Float], geometry g: ConvolutionGeometry,
        split: WorkSplit = .serial, instructionSet: InstructionSet = .active
    ) {
        precondition(Self.supports(g), "Winograd along one axis does not support \(g)")
        inChannels = g.inChannels; outChannels = g.outChannels
        padTop = g.padTop; padBottom = g.padBottom; padLeft = g.padLeft; padRight = g.padRight
        isVertical = g.kernelWidth == 1
        let taps = max(g.kernelHeight, g.kernelWidth), positions = taps == 7 ? 8 : 6
        self.taps = taps
        tileSize = taps == 7 ? 2 : 4
        self.positions = positions
        self.instructionSet = instructionSet
        let isa = instructionSet.isa, inChannels = g.inChannels
        let stride = Int(pth_gemm_packed_count(isa, g.outChannels, g.inChannels))
        filterStride = stride
        var packed = [Float](repeating: 0, count: positions * stride)
        packed.withUnsafeMutableBufferPointer { u in
            let u = UncheckedSendable(u.baseAddress!)
            // Each range of output channels writes only its own filters' elements.
            split.forEachRange(g.outChannels, minimum: 16) { channels in
                for o in channels {
                    let factor = Double(scale[o])
                    for c in 0..<inChannels {
                        let filter = weights + (o * inChannels + c) * taps
                        let values = taps == 7 ? Self.transformedSeven(filter, factor: factor) : Self.transformedThree(filter, factor: factor)
                        let index = pth_gemm_packed_index(isa, o, c, inChannels)
                        for e in 0..<positions { u.value[e * stride + index] = Float(values[e]) }
                    }
                }
            }
        }
        filters = packed
        blockBias = (0..<(g.outChannels + 7) / 8 * 8).map { $0 < g.outChannels ? bias[$0] : 0 }
    }

    /// F(4, 3)'s `factor·G·g` for the 3 taps at `taps`, G as in `WinogradConvolution`.
    private static func transformedThree(_ taps: UnsafePointer<Float>, factor: Double) -> [Double] {
        let g0 = Double(taps[0]), g1 = Double(taps[1]), g2 = Double(taps[2])
        let values = [
            g0 / 4, -(g0 + g1 + g2) / 6, -(g0 - g1 + g2) / 6, g0 / 24 + g1 / 12 + g2 / 6, g0 / 24 - g1 / 12 + g2 / 6, g2,
        ]
        return values.map { $0 * factor }
    }

    /// F(2, 7)'s `factor·G·g` for the 7 taps at `taps`: at each finite point `p`, `Σ pᵏ·g[k]` over
    /// the product of `p − q` over the other finite points `q`, then a quarter (the input transform's
    /// factor, so that its own coefficients are whole); at ∞ the last tap, a quarter.
    private static func transformedSeven(_ taps: UnsafePointer<Float>, factor: Double) -> [Double] {
        let g = (0..<7).map { Double(taps[$0]) }
        @inline(__always) func sums(_ p: Double) -> (even: Double, odd: Double) {
            var even = 0.0, odd = 0.0, power = 1.0
            for k in 0..<7 {
                if k % 2 == 0 { even += power * g[k] } else { odd += power * g[k] }
                power *= p
            }
            return (even, odd)
        }
        let one = sums(1), two = sums(2), half = sums(0.5)
        let values = [
            -g[0] / 4,
            -(one.even + one.odd) / 18, -(one.even - one.odd) / 18,
            (two.even + two.odd) / 360, (two.even - two.odd) / 360,
            (half.even + half.odd) * 8 / 45, (half.even - half.odd) * 8 / 45,
            g[6] / 4,
        ]
        return values.map { $0 * factor }
    }

    /// The tiling of a batch: tiles of `size` outputs along the filter's axis and their inputs
    /// inside the padded copy.
    private struct Tiling {
        let outHeight: Int, outWidth: Int, tilesHigh: Int, tilesWide: Int
        let paddedHeight: Int, paddedWidth: Int, tiles: Int

        init(batch: Int, height: Int, width: Int, padHeight: Int, padWidth: Int, vertical: Bool, taps: Int, size: Int) {
            outHeight = height + padHeight - (vertical ? taps - 1 : 0)
            outWidth = width + padWidth - (vertical ? 0 : taps - 1)
            tilesHigh = vertical ? (outHeight + size - 1) / size : outHeight
            tilesWide = vertical ? outWidth : (outWidth + size - 1) / size
            paddedHeight = vertical ? size * tilesHigh + taps - 1 : outHeight
            paddedWidth = vertical ? outWidth : size * tilesWide + taps - 1
            tiles = batch * tilesHigh * tilesWide
        }

        var tilesPerImage: Int { tilesHigh * tilesWide }
        /// Floats of one 8-channel block of the padded copy.
        var blockPlane: Int { paddedHeight * paddedWidth * 8 }
    }

    /// How a run cuts the batch's tiles: chunks of at most 2^19 floats (2 MB) of transformed input
    /// and GEMM results, whole panels of the micro-kernel's B, each chunk through input transform,
    /// GEMMs and output transform before the next, so its data stays in cache between the phases.
    private struct Chunking {
        let tiles: Int, inputCount: Int, resultCount: Int, panelCount: Int

        init(_ t: Tiling, inChannels: Int, outChannels: Int, positions: Int, instructionSet: InstructionSet) {
            let inStride = (inChannels + 7) / 8 * 8, outStride = (outChannels + 7) / 8 * 8
            let panel = Int(pth_gemm_panel_columns(instructionSet.isa))
            let fitting = (1 << 19) / (positions * (inStride + outStride)) / panel * panel
            tiles = min(t.tiles, max(panel, fitting))
            inputCount = positions * tiles * inStride
            resultCount = positions * tiles * outStride
            panelCount = Int(pth_gemm_scratch_count_for(instructionSet.isa, tiles, inChannels))
        }
    }

    private func tiling(batch: Int, height: Int, width: Int) -> Tiling {
        Tiling(
            batch: batch, height: height, width: width, padHeight: padTop + padBottom, padWidth: padLeft + padRight,
            vertical: isVertical, taps: taps, size: tileSize)
    }

    /// Floats of scratch `run` needs when cut as `split` cuts it: the padded batch, one chunk's
    /// transformed input and GEMM results, and each part's panels of B.
    func scratchCount(batch: Int, height: Int, width: Int, split: WorkSplit = .serial) -> Int {
        let t = tiling(batch: batch, height: height, width: width)
        let chunks = Chunking(t, inChannels: inChannels, outChannels: outChannels, positions: positions, instructionSet: instructionSet)
        return batch * inBlocks * t.blockPlane + chunks.inputCount + chunks.resultCount
            + min(split.threads, positions) * chunks.panelCount
    }

    /// Convolves `batch` NCHW images (strided as in `ConvolutionKernel.run`), adding the bias and
    /// applying `activation` to every output. `split` cuts the padded copy by 8-channel blocks, the
    /// transforms by tiles and the GEMMs by position; each output is the same sum either way.
    func run(
        input: UnsafePointer<Float>, inputStride: Int, height: Int, width: Int,
        output: UnsafeMutablePointer<Float>, outputStride: Int, batch: Int,
        activation: ActivationFunction, scratch: UnsafeMutablePointer<Float>, split: WorkSplit = .serial
    ) {
        let t = tiling(batch: batch, height: height, width: width)
        let chunks = Chunking(t, inChannels: inChannels, outChannels: outChannels, positions: positions, instructionSet: instructionSet)
        let padded = UncheckedSendable(scratch)
        ChannelBlocks.padBatch(
            input, inputStride: inputStride, batch: batch, channels: inChannels, height: height, width: width,
            top: padTop, left: padLeft, paddedHeight: t.paddedHeight, paddedWidth: t.paddedWidth, into: scratch,
            split: split)
        let v = UncheckedSendable(scratch + batch * inBlocks * t.blockPlane)
        let m = UncheckedSendable(v.value + chunks.inputCount), panels = UncheckedSendable(m.value + chunks.resultCount)
        let inStride = 8 * inBlocks, outStride = 8 * outBlocks, isa = instructionSet.isa, positions = positions
        // Equal chunks of at most `chunks.tiles`: no short last chunk of a few tiles.
        let count = (t.tiles + chunks.tiles - 1) / chunks.tiles
        for chunk in 0..<count {
            let first = t.tiles * chunk / count, end = t.tiles * (chunk + 1) / count
            split.forEachRange(end - first) { range in
                transformInput(padded.value, t, tiles: (first + range.lowerBound)..<(first + range.upperBound), firstTile: first, into: v.value)
            }
            filters.withUnsafeBufferPointer { u in
                let u = u.baseAddress!
                split.forEachPart(positions) { part, range in
                    for e in range {
                        pth_gemm_packed_transposed(
                            isa, outChannels, end - first, inChannels, u + e * filterStride, v.value + e * inStride,
                            positions * inStride, m.value + e * outStride, positions * outStride,
                            panels.value + part * chunks.panelCount)
                    }
                }
            }
            split.forEachRange(end - first) { range in
                transformOutput(
                    m.value, t, tiles: (first + range.lowerBound)..<(first + range.upperBound), firstTile: first,
                    activation: activation, into: output, stride: outputStride)
            }
        }
    }

    /// `V[tile − firstTile][e][c] = (Bᵀ·d)[e]` for each tile in `tiles`: its inputs `d` along the
    /// filter's axis, 8 channels per vector.
    private func transformInput(
        _ padded: UnsafePointer<Float>, _ t: Tiling, tiles: Range<Int>, firstTile: Int, into v: UnsafeMutablePointer<Float>
    ) {
        let blocks = inBlocks, step = 8 * blocks, size = tileSize
        // Floats between consecutive inputs along the axis.
        let along = isVertical ? t.paddedWidth * 8 : 8
        for k in tiles {
            let n = k / t.tilesPerImage, r = k % t.tilesPerImage
            let row = isVertical ? size * (r / t.tilesWide) : r / t.tilesWide
            let column = isVertical ? r % t.tilesWide : size * (r % t.tilesWide)
            let window = padded + n * blocks * t.blockPlane + (row * t.paddedWidth + column) * 8
            let target = v + (k - firstTile) * positions * step
            for block in 0..<blocks {
                let p = window + block * t.blockPlane, out = target + block * 8
                @inline(__always) func at(_ i: Int) -> Float8 { p.load8(i * along) }
                if taps == 3 {
                    let e = WinogradConvolution.inputRows(at(0), at(1), at(2), at(3), at(4), at(5))
                    out.store8(e.0, 0); out.store8(e.1, step); out.store8(e.2, 2 * step)
                    out.store8(e.3, 3 * step); out.store8(e.4, 4 * step); out.store8(e.5, 5 * step)
                    continue
                }
                let d0 = at(0), d1 = at(1), d2 = at(2), d3 = at(3), d4 = at(4), d5 = at(5), d6 = at(6), d7 = at(7)
                let four = Float8(repeating: 4)
                // Bᵀ, rows in pairs ±: (4d₂ − 17d₄ + 4d₆) ± (4d₁ − 17d₃ + 4d₅), (d₂ − 5d₄ + 4d₆) ±
                // (2d₁ − 10d₃ + 8d₅), (16d₂ − 20d₄ + 4d₆) ± (8d₁ − 10d₃ + 2d₅); the ends
                // −4d₀ + 21d₂ − 21d₄ + 4d₆ and −4d₁ + 21d₃ − 21d₅ + 4d₇.
                let a1 = four * d2 - Float8(repeating: 17) * d4 + four * d6
                let b1 = four * d1 - Float8(repeating: 17) * d3 + four * d5
                let a2 = d2 - Float8(repeating: 5) * d4 + four * d6
                let b2 = Float8(repeating: 2) * d1 - Float8(repeating: 10) * d3 + Float8(repeating: 8) * d5
                let a3 = Float8(repeating: 16) * d2 - Float8(repeating: 20) * d4 + four * d6
                let b3 = Float8(repeating: 8) * d1 - Float8(repeating: 10) * d3 + Float8(repeating: 2) * d5
                let twentyOne = Float8(repeating: 21)
                out.store8(four * (d6 - d0) + twentyOne * (d2 - d4), 0)
                out.store8(a1 + b1, step); out.store8(a1 - b1, 2 * step)
                out.store8(a2 + b2, 3 * step); out.store8(a2 - b2, 4 * step)
                out.store8(a3 + b3, 5 * step); out.store8(a3 - b3, 6 * step)
                out.store8(four * (d7 - d1) + twentyOne * (d3 - d5), 7 * step)
            }
        }
    }

    /// Output runs `Aᵀ·m` of `tiles` (tile `k`'s `M` at `m`'s row `k − firstTile`) plus bias, through
    /// the activation, into the NCHW output (the outputs of a run past the map's edge dropped).
    private func transformOutput(
        _ m: UnsafePointer<Float>, _ t: Tiling, tiles: Range<Int>, firstTile: Int, activation: ActivationFunction,
        into output: UnsafeMutablePointer<Float>, stride outputStride: Int
    ) {
        let step = 8 * outBlocks, outPlane = t.outHeight * t.outWidth, size = tileSize
        blockBias.withUnsafeBufferPointer { bias in
            withUnsafeTemporaryAllocation(of: Float8.self, capacity: 4) { run in
                let run = run.baseAddress!
                let flat = UnsafeMutableRawPointer(run).assumingMemoryBound(to: Float.self)
                for k in tiles {
                    let n = k / t.tilesPerImage, r = k % t.tilesPerImage
                    let row = isVertical ? size * (r / t.tilesWide) : r / t.tilesWide
                    let column = isVertical ? r % t.tilesWide : size * (r % t.tilesWide)
                    let corner = output + n * outputStride + row * t.outWidth + column
                    let valid = min(size, isVertical ? t.outHeight - row : t.outWidth - column)
                    let next = isVertical ? t.outWidth : 1
                    for block in 0..<outBlocks {
                        let source = m + (k - firstTile) * positions * step + block * 8
                        @inline(__always) func at(_ e: Int) -> Float8 { source.load8(e * step) }
                        let b = bias.baseAddress!.load8(block * 8)
                        if taps == 3 {
                            let y = WinogradConvolution.outputRows(at(0), at(1), at(2), at(3), at(4), at(5))
                            run[0] = y.0 + b; run[1] = y.1 + b; run[2] = y.2 + b; run[3] = y.3 + b
                        } else {
                            let m1 = at(1), m2 = at(2), m3 = at(3), m4 = at(4), m5 = at(5), m6 = at(6)
                            // Aᵀ: (1, 1, 1, 1, 1, 1, 1, 0) and (0, 1, −1, 2, −2, ½, −½, 1).
                            run[0] = at(0) + (m1 + m2) + (m3 + m4) + (m5 + m6) + b
                            run[1] = (m1 - m2) + Float8(repeating: 2) * (m3 - m4) + Float8(repeating: 0.5) * (m5 - m6) + at(7) + b
                        }
                        activation.apply(flat, count: 8 * size)
                        let channels = min(8, outChannels - block * 8), first = corner + block * 8 * outPlane
                        for c in 0..<channels {
                            let target = first + c * outPlane
                            for i in 0..<valid { target[i * next] = run[i][c] }
                        }
                    }
                }
            }
        }
    }
}
