import CKernels
import PthFoundation

/// A stride-1 3×3 convolution by Winograd's minimal filtering F(4×4, 3×3) (Lavin & Gray 2015):
/// each 6×6 input tile becomes a 4×4 output tile with 36 multiplies per channel pair instead of
/// 144, so the GEMM work of the conv drops 4× at the price of transforms on input and output. A
/// stride-1 5×5 convolution runs F(2×2, 5×5) the same way: 6×6 input tiles again (the same points,
/// so the same input transform), each a 2×2 output tile, 36 multiplies instead of 100. On maps too
/// small for 4×4 output tiles a 3×3 convolution may run F(2×2, 3×3) instead (`window` 4): 4×4 input
/// tiles, 16 multiplies per 2×2 output tile instead of 36, and 16 GEMMs where the text below says 36.
///
/// The batch's tiles (or a block of them, see `Blocks`) are the rows of 36 matrices (one per
/// transform-domain position), so one GEMM per position covers every image: `M[e] = V[e] · U[e]ᵀ`,
/// with `V[e]` the transformed input
/// `[tiles, in]` and `U[e]` the transformed weights `[out, in]`. Channels are the contiguous axis
/// on both sides of the GEMM, so the transforms run on 8 channels per SIMD vector with plain
/// vector loads and stores: the input is first copied into a zero-padded, channel-blocked layout
/// (`[image][in / 8][row][column][8]`), and each output tile's 8 channels are transposed back to
/// NCHW rows after bias and activation. `V` and `M` keep a tile's 36 positions together
/// (`[tile][position][channel]`, each GEMM striding over tiles), so a transform reads and writes one
/// compact run of memory per tile rather than 36 far-apart ones.
///
/// The 36 GEMMs are the packed micro-kernel's: each position's transformed filters `U[e]` are in
/// its packed layout as the product's A, so `M[e]ᵀ = U[e]·V[e]ᵀ` reads `V[e]` as a transposed B and
/// writes `M[e]` as a transposed C, in the layouts the transforms use.
///
/// The transformed filters take 4× the conv's weights. A kernel that `storesFilters` transforms them
/// once, when it is made; one that does not keeps only the conv's packed weights and transforms the
/// filters of a few output channels at a time inside each run, just before their 36 GEMMs (see
/// `PerRunTiling`), for maps too small to pay for the memory but large enough to pay for the
/// transform. Both transform with the same code (`pth_winograd_filters`, in float, the folded
/// BatchNorm factor multiplied in), so both give the same outputs bit for bit.
///
/// Numerics: the transforms use the points 0, ±1, ±2, whose coefficients (≤ 8, 1/24) keep float32
/// error near 1e-6 of the output's magnitude.
final class WinogradConvolution: Sendable {
    let inChannels: Int, outChannels: Int
    let padTop: Int, padBottom: Int, padLeft: Int, padRight: Int
    /// The filters' size, 3 or 5.
    let kernelSize: Int
    /// The input tile's side: 6 (F(4×4, 3×3), F(2×2, 5×5)) or 4 (F(2×2, 3×3)).
    let window: Int
    /// The conv's weights packed for the micro-kernel as the `out × kernel²·in` matrix of its im2col
    /// GEMM (shared with the conv's own GEMM path, not copied).
    private let weights: PackedMatrix
    /// The folded BatchNorm factor of each output channel.
    private let scale: [Float]
    /// When stored: per position `e`, the `out × in` matrix of `scale[o]·(G·g·Gᵀ)[e]` over every filter,
    /// packed for the micro-kernel, the `positions` matrices `filterStride` floats apart in one buffer.
    private let filters: [Float]?
    private let filterStride: Int
    /// The micro-kernel the filters are packed for.
    private let instructionSet: InstructionSet
    /// The bias, zero-extended to whole 8-channel blocks.
    private let blockBias: [Float]

    /// Transform-domain positions: window².
    var positions: Int { window * window }

    /// Floats (a cache line) left between consecutive transformed matrices. The filter transform
    /// writes all 36 at once, and 36 streams a multiple of 4 KB apart (a 256 × 256 block of 6 rows is
    /// 6 KB) would share two of L1's 64 sets: the transform ran 1.8× slower that way.
    static let matrixGap = 16

    private var inBlocks: Int { (inChannels + 7) / 8 }
    private var outBlocks: Int { (outChannels + 7) / 8 }

    /// Whether the transformed filters are kept (else transformed in every run).
    var storesFilters: Bool { filters != nil }

    /// `weights`: the conv's `out × kernel²·in` weight matrix packed for the micro-kernel that the GEMMs
    /// will run. `scale[o]` (a folded BatchNorm's factor) is multiplied into output channel `o`'s
    /// transformed filters. With `storesFilters`, the filters are transformed now, `split` cutting
    /// them over cores (a network's first run transforms ~10⁵ of them: densenet121 237,568).
    /// `window`: 6, or 4 for F(2×2, 3×3) (3×3 filters only).
    init(
        weights: PackedMatrix, scale: [Float], bias: [Float], geometry g: ConvolutionGeometry,
        storesFilters: Bool = true, split: WorkSplit = .serial, window: Int = 6
    ) {
        precondition(Self.supports(g), "Winograd does not support \(g)")
        precondition(window == 6 || (window == 4 && g.kernelHeight == 3), "no Winograd on \(window)×\(window) tiles for \(g)")
        let taps = g.kernelHeight * g.kernelWidth
        precondition(
            weights.rows == g.outChannels && weights.columns == taps * g.inChannels,
            "Winograd weights for \(g) must be \(g.outChannels) × \(taps * g.inChannels), given \(weights.rows) × \(weights.columns)")
        inChannels = g.inChannels; outChannels = g.outChannels; kernelSize = g.kernelHeight; self.window = window
        padTop = g.padTop; padBottom = g.padBottom; padLeft = g.padLeft; padRight = g.padRight
        self.weights = weights
        self.scale = scale
        instructionSet = weights.instructionSet
        let isa = instructionSet.isa, stride = Int(pth_gemm_packed_count(isa, g.outChannels, g.inChannels)) + Self.matrixGap
        filterStride = stride
        if storesFilters {
            var packed = [Float](repeating: 0, count: window * window * stride)
            packed.withUnsafeMutableBufferPointer { u in
                let u = UncheckedSendable(u.baseAddress!)
                weights.withUnsafePanels { w in
                    scale.withUnsafeBufferPointer { scale in
                        // Each range of whole panels writes only its own rows of the 36 matrices.
                        split.forEachRange(g.outChannels, alignment: Int(pth_gemm_panel_rows(isa)), minimum: 64) { rows in
                            pth_winograd_filters(
                                isa, w + rows.lowerBound * taps * g.inChannels, g.inChannels, g.kernelHeight, window, rows.count,
                                scale.baseAddress! + rows.lowerBound, u.value + rows.lowerBound * g.inChannels, stride)
                        }
                    }
                }
            }
            filters = packed
        } else {
            filters = nil
        }
        blockBias = (0..<(g.outChannels + 7) / 8 * 8).map { $0 < g.outChannels ? bias[$0] : 0 }
    }

    /// The kernel for the row-major `out × in × k × k` `weights`, packed here for `instructionSet`.
    convenience init(
        weights: UnsafePointer<Float>, scale: [Float], bias: [Float], geometry g: ConvolutionGeometry,
        storesFilters: Bool = true, split: WorkSplit = .serial, instructionSet: InstructionSet = .active, window: Int = 6
    ) {
        self.init(
            weights: PackedMatrix(
                weights, rows: g.outChannels, columns: g.kernelHeight * g.kernelWidth * g.inChannels, instructionSet: instructionSet),
            scale: scale, bias: bias, geometry: g, storesFilters: storesFilters, split: split, window: window)
    }

    /// Whether `g` is a convolution this kernel computes: 3×3 or 5×5, stride 1, no dilation, one group.
    static func supports(_ g: ConvolutionGeometry) -> Bool {
        (g.kernelHeight == 3 || g.kernelHeight == 5) && g.kernelWidth == g.kernelHeight && g.strideHeight == 1
            && g.strideWidth == 1 && g.dilationHeight == 1 && g.dilationWidth == 1 && g.groups == 1
    }

    /// The side of the output tile for `kernelSize` on input tiles of `window`: the input tile less
    /// the filter's reach.
    static func tileSize(kernelSize: Int, window: Int = 6) -> Int { window + 1 - kernelSize }

    /// The tiling of a batch: output tiles (4×4 for 3×3 filters, 2×2 for 5×5 or for 3×3 on 4×4 input
    /// tiles) and their input windows inside the padded copy.
    private struct Tiling {
        let outHeight: Int, outWidth: Int, tilesHigh: Int, tilesWide: Int
        let paddedHeight: Int, paddedWidth: Int, tiles: Int
        /// The output tile's side, and so the step between input windows.
        let tileSize: Int
        /// The input window's side.
        let window: Int

        /// `padHeight` and `padWidth`: the zero padding on both sides together.
        init(batch: Int, height: Int, width: Int, padHeight: Int, padWidth: Int, kernelSize: Int, window: Int) {
            self.window = window
            tileSize = WinogradConvolution.tileSize(kernelSize: kernelSize, window: window)
            outHeight = height + padHeight - (kernelSize - 1)
            outWidth = width + padWidth - (kernelSize - 1)
            tilesHigh = (outHeight + tileSize - 1) / tileSize
            tilesWide = (outWidth + tileSize - 1) / tileSize
            paddedHeight = tileSize * tilesHigh + kernelSize - 1
            paddedWidth = tileSize * tilesWide + kernelSize - 1
            tiles = batch * tilesHigh * tilesWide
        }

        var tilesPerImage: Int { tilesHigh * tilesWide }
        /// Transform-domain positions.
        var positions: Int { window * window }
        /// Floats of one 8-channel block of the padded copy.
        var blockPlane: Int { paddedHeight * paddedWidth * 8 }
    }

    /// Floats of scratch `run` needs when cut as `split` cuts it: the padded batch, then per part one
    /// block of tiles' transformed input and GEMM results and the panels of its GEMMs' B (see
    /// `PerRunTiling` for a kernel that does not store its filters).
    /// `filtersPerRun`: whether the run will transform its filters (always, when they are not stored).
    func scratchCount(batch: Int, height: Int, width: Int, split: WorkSplit = .serial, filtersPerRun: Bool = false) -> Int {
        Self.scratchCount(
            batch: batch, height: height, width: width, inChannels: inChannels, outChannels: outChannels,
            padHeight: padTop + padBottom, padWidth: padLeft + padRight, kernelSize: kernelSize, window: window,
            storesFilters: storesFilters && !filtersPerRun, split: split, instructionSet: instructionSet)
    }

    /// Floats of scratch the kernel for `g` running `instructionSet`'s micro-kernel needs, known before
    /// its weights are transformed.
    static func scratchCount(
        _ g: ConvolutionGeometry, batch: Int, height: Int, width: Int, storesFilters: Bool = true,
        split: WorkSplit = .serial, instructionSet: InstructionSet = .active, window: Int = 6
    ) -> Int {
        scratchCount(
            batch: batch, height: height, width: width, inChannels: g.inChannels, outChannels: g.outChannels,
            padHeight: g.padTop + g.padBottom, padWidth: g.padLeft + g.padRight, kernelSize: g.kernelHeight, window: window,
            storesFilters: storesFilters, split: split, instructionSet: instructionSet)
    }

    private static func scratchCount(
        batch: Int, height: Int, width: Int, inChannels: Int, outChannels: Int,
        padHeight: Int, padWidth: Int, kernelSize: Int, window: Int, storesFilters: Bool, split: WorkSplit,
        instructionSet: InstructionSet
    ) -> Int {
        let t = Tiling(
            batch: batch, height: height, width: width, padHeight: padHeight, padWidth: padWidth, kernelSize: kernelSize,
            window: window)
        let paddedCount = batch * ((inChannels + 7) / 8) * t.blockPlane
        if !storesFilters {
            let chunks = PerRunTiling(t, inChannels: inChannels, outChannels: outChannels, instructionSet: instructionSet)
            return paddedCount + chunks.sharedCount + split.threads * chunks.filterCount
        }
        let blocks = Blocks(t, inChannels: inChannels, outChannels: outChannels, instructionSet: instructionSet, threads: split.threads)
        if blocks.cutsTiles { return paddedCount + split.threads * blocks.partCount }
        return blocks.inputCount + max(paddedCount, blocks.resultCount) + min(split.threads, t.positions) * blocks.panelCount
    }

    /// How a kernel that does not store its filters cuts a run. The batch's tiles go in chunks of at
    /// most 2^21 floats (8 MB) of transformed input, GEMM results and packed B together. For each
    /// chunk, the 36 positions' transformed input is packed once as the GEMMs' B, then each core
    /// takes a range of output channels and walks it a block at a time: it transforms the block's
    /// filters (all 36 matrices, at most 2^16 floats, so they stay in L2) and runs the block's 36
    /// GEMMs on the packed B. Every chunk transforms every filter again; at ResNet's 14×14 one
    /// chunk holds 7 images.
    private struct PerRunTiling {
        /// Most tiles per chunk, and how many output channels (whole panels) a block transforms.
        let chunkTiles: Int, blockRows: Int
        /// Floats of a chunk's transformed input (later its GEMM results) and of one position's packed B.
        let regionCount: Int, packedCount: Int
        /// Floats between one block's transformed matrices, and of all of them.
        let filterStride: Int
        let positions: Int
        var filterCount: Int { positions * filterStride }
        /// Floats all cores share: the region, then the packed Bs of every position.
        var sharedCount: Int { regionCount + positions * packedCount }

        init(_ t: Tiling, inChannels: Int, outChannels: Int, instructionSet: InstructionSet) {
            let isa = instructionSet.isa, positions = t.positions
            self.positions = positions
            let panel = Int(pth_gemm_panel_columns(isa)), rows = Int(pth_gemm_panel_rows(isa))
            let stride = max((inChannels + 7) / 8, (outChannels + 7) / 8) * 8
            let fitting = (1 << 21) / (positions * (stride + inChannels)) / panel * panel
            chunkTiles = min(t.tiles, max(panel, fitting))
            regionCount = positions * chunkTiles * stride
            packedCount = Int(pth_gemm_packed_b_count(isa, chunkTiles, inChannels))
            let panels = max(1, (1 << 16) / (positions * rows * inChannels))
            blockRows = min(panels * rows, (outChannels + rows - 1) / rows * rows)
            filterStride = Int(pth_gemm_packed_count(isa, blockRows, inChannels)) + WinogradConvolution.matrixGap
        }
    }

    /// How the batch's tiles are cut into blocks, each run through input transform, GEMMs and output
    /// transform before the next, so a block's transformed input and GEMM results stay in cache
    /// between the phases where a whole large map's would go out to memory and back three times
    /// (Inception's 32 → 32 and 32 → 64 convs on 147×147: 22–30% faster cut in blocks). Each block
    /// reads all 36 matrices of transformed filters again, so only maps at least 8 times the size
    /// of the filters are cut (measured: ResNet's 64 → 64 on 56×56 and Inception's 80 → 192 on
    /// 71×71 are no faster or slower cut). The rest run as one block with each phase cut over the
    /// cores: both transforms by tiles, the 36 GEMMs by position.
    private struct Blocks {
        /// Most tiles per block (all of them when the batch is not cut).
        let tiles: Int
        /// Whether each core takes a range of whole panels of tiles and runs it block by block.
        let cutsTiles: Bool
        /// Tiles per panel of the micro-kernel's B, where the cut between cores falls.
        let panel: Int
        /// Floats of one block's transformed input, of its GEMM results, and of one GEMM's panels of B.
        let inputCount: Int, resultCount: Int, panelCount: Int
        /// Floats of one core's scratch when the tiles are cut: all three.
        var partCount: Int { inputCount + resultCount + panelCount }

        init(_ t: Tiling, inChannels: Int, outChannels: Int, instructionSet: InstructionSet, threads: Int) {
            let inStride = (inChannels + 7) / 8 * 8, outStride = (outChannels + 7) / 8 * 8
            panel = Int(pth_gemm_panel_columns(instructionSet.isa))
            // Ranges of whole panels are even enough from four panels per core on (at most a fifth apart).
            cutsTiles =
                t.tiles * (inStride + outStride) >= 8 * inChannels * outChannels
                && (threads == 1 || t.tiles >= 4 * threads * panel)
            // At most 2^19 floats (2 MB, a core's share of L3) of transformed input and results, in
            // 2–8 whole panels: fewer tiles make the 36 GEMMs too small to run well.
            let fitting = (1 << 19) / (t.positions * (inStride + outStride)) / panel * panel
            tiles = cutsTiles ? min(t.tiles, max(2 * panel, min(8 * panel, fitting))) : t.tiles
            inputCount = t.positions * tiles * inStride
            resultCount = t.positions * tiles * outStride
            panelCount = Int(pth_gemm_scratch_count_for(instructionSet.isa, tiles, inChannels))
        }
    }

    /// Convolves `batch` NCHW images (strided as in `ConvolutionKernel.run`), adding the bias and
    /// applying `activation` to every output. `split` cuts the padded copy by 8-channel blocks, then
    /// the rest as `Blocks` (or `PerRunTiling`) says. Either way each output is the same sum.
    /// `filtersPerRun`: transform the filters in this run even if they are stored (the same outputs,
    /// in the scratch `scratchCount(…, filtersPerRun: true)` gives).
    func run(
        input: UnsafePointer<Float>, inputStride: Int, height: Int, width: Int,
        output: UnsafeMutablePointer<Float>, outputStride: Int, batch: Int,
        activation: ActivationFunction, scratch: UnsafeMutablePointer<Float>, split: WorkSplit = .serial,
        filtersPerRun: Bool = false
    ) {
        let storesFilters = storesFilters && !filtersPerRun
        let t = Tiling(
            batch: batch, height: height, width: width, padHeight: padTop + padBottom, padWidth: padLeft + padRight,
            kernelSize: kernelSize, window: window)
        let blocks = Blocks(t, inChannels: inChannels, outChannels: outChannels, instructionSet: instructionSet, threads: split.threads)
        let paddedCount = batch * inBlocks * t.blockPlane
        // Uncut, the padded copy comes after the transformed input, and the GEMM results take its
        // place once the input transform has read it.
        let padded = !storesFilters || blocks.cutsTiles ? scratch : scratch + blocks.inputCount
        ChannelBlocks.padBatch(
            input, inputStride: inputStride, batch: batch, channels: inChannels, height: height, width: width,
            top: padTop, left: padLeft, paddedHeight: t.paddedHeight, paddedWidth: t.paddedWidth, into: padded,
            split: split)
        guard storesFilters else {
            runTransformingFilters(
                padded, t, scratch: scratch + paddedCount, activation: activation, output: output,
                outputStride: outputStride, split: split)
            return
        }
        guard blocks.cutsTiles else {
            runBlock(
                padded, t, tiles: 0..<t.tiles, input: scratch, results: padded,
                panels: padded + max(paddedCount, blocks.resultCount), panelCount: blocks.panelCount,
                activation: activation, output: output, outputStride: outputStride, split: split)
            return
        }
        split.forEachPart(t.tiles, alignment: blocks.panel) { part, range in
            let own = padded + paddedCount + part * blocks.partCount
            // Equal blocks of at most `blocks.tiles`: no short last block of a few tiles.
            let count = (range.count + blocks.tiles - 1) / blocks.tiles
            for block in 0..<count {
                let first = range.lowerBound + range.count * block / count
                let end = range.lowerBound + range.count * (block + 1) / count
                runBlock(
                    padded, t, tiles: first..<end, input: own, results: own + blocks.inputCount,
                    panels: own + blocks.inputCount + blocks.resultCount, panelCount: blocks.panelCount,
                    activation: activation, output: output, outputStride: outputStride, split: .serial)
            }
        }
    }

    /// The run of a kernel that does not store its filters, after the padded copy (see `PerRunTiling`).
    private func runTransformingFilters(
        _ padded: UnsafePointer<Float>, _ t: Tiling, scratch: UnsafeMutablePointer<Float>,
        activation: ActivationFunction, output: UnsafeMutablePointer<Float>, outputStride: Int, split: WorkSplit
    ) {
        let chunking = PerRunTiling(t, inChannels: inChannels, outChannels: outChannels, instructionSet: instructionSet)
        let region = scratch, packedB = UncheckedSendable(scratch + chunking.regionCount)
        let positions = t.positions, window = window
        let filterBlocks = UncheckedSendable(packedB.value + positions * chunking.packedCount)
        let inStride = 8 * inBlocks, outStride = 8 * outBlocks, isa = instructionSet.isa
        let rows = Int(pth_gemm_panel_rows(isa)), inChannels = inChannels, outChannels = outChannels
        let kernelSize = kernelSize, taps = kernelSize * kernelSize
        // Equal chunks of at most `chunkTiles`: no short last chunk of a few tiles.
        let count = (t.tiles + chunking.chunkTiles - 1) / chunking.chunkTiles
        for chunk in 0..<count {
            let first = t.tiles * chunk / count, end = t.tiles * (chunk + 1) / count, tiles = end - first
            split.forEachRange(tiles) { range in
                transformInput(padded, t, tiles: (first + range.lowerBound)..<(first + range.upperBound), firstTile: first, into: region)
            }
            let v = UncheckedSendable(region)
            split.forEachRange(positions) { range in
                for e in range {
                    pth_gemm_pack_b_transposed(
                        isa, v.value + e * inStride, positions * inStride, tiles, inChannels,
                        packedB.value + e * chunking.packedCount)
                }
            }
            // The GEMM results take the transformed input's place: the packed copies hold it now.
            weights.withUnsafePanels { w in
                scale.withUnsafeBufferPointer { scale in
                    split.forEachPart(outChannels, alignment: rows) { part, channels in
                        let u = filterBlocks.value + part * chunking.filterCount
                        for block in stride(from: channels.lowerBound, to: channels.upperBound, by: chunking.blockRows) {
                            let blockRows = min(chunking.blockRows, channels.upperBound - block)
                            pth_winograd_filters(
                                isa, w + block * taps * inChannels, inChannels, kernelSize, window, blockRows,
                                scale.baseAddress! + block, u, chunking.filterStride)
                            for e in 0..<positions {
                                pth_gemm_prepacked_transposed(
                                    isa, blockRows, tiles, inChannels, u + e * chunking.filterStride,
                                    packedB.value + e * chunking.packedCount, v.value + e * outStride + block,
                                    positions * outStride)
                            }
                        }
                    }
                }
            }
            split.forEachRange(tiles) { range in
                transformOutput(
                    region, t, tiles: (first + range.lowerBound)..<(first + range.upperBound), firstTile: first,
                    activation: activation, into: output, stride: outputStride)
            }
        }
    }

    /// One block of tiles through input transform (into `input`), the 36 GEMMs (into `results`, each
    /// part of `split` packing B in its own `panelCount` floats from `panels`) and output transform.
    private func runBlock(
        _ padded: UnsafePointer<Float>, _ t: Tiling, tiles: Range<Int>, input v: UnsafeMutablePointer<Float>,
        results m: UnsafeMutablePointer<Float>, panels: UnsafeMutablePointer<Float>, panelCount: Int,
        activation: ActivationFunction, output: UnsafeMutablePointer<Float>, outputStride: Int, split: WorkSplit
    ) {
        func shifted(_ range: Range<Int>) -> Range<Int> { (tiles.lowerBound + range.lowerBound)..<(tiles.lowerBound + range.upperBound) }
        split.forEachRange(tiles.count) { range in
            transformInput(padded, t, tiles: shifted(range), firstTile: tiles.lowerBound, into: v)
        }
        let inStride = 8 * inBlocks, outStride = 8 * outBlocks, isa = instructionSet.isa
        filters!.withUnsafeBufferPointer { u in
            let u = u.baseAddress!
            split.forEachPart(t.positions) { part, positions in
                for e in positions {
                    pth_gemm_packed_transposed(
                        isa, outChannels, tiles.count, inChannels, u + e * filterStride, v + e * inStride,
                        t.positions * inStride, m + e * outStride, t.positions * outStride,
                        panels + part * panelCount)
                }
            }
        }
        split.forEachRange(tiles.count) { range in
            transformOutput(
                m, t, tiles: shifted(range), firstTile: tiles.lowerBound, activation: activation, into: output,
                stride: outputStride)
        }
    }

    /// `V[tile − firstTile][e][c] = (Bᵀ·d·B)[e]` for each tile in `tiles`: its window `d` (6×6 or
    /// 4×4) of every channel, 8 channels per vector.
    private func transformInput(
        _ padded: UnsafePointer<Float>, _ t: Tiling, tiles: Range<Int>, firstTile: Int, into v: UnsafeMutablePointer<Float>
    ) {
        let step = 8 * inBlocks
        withUnsafeTemporaryAllocation(of: Float8.self, capacity: 36) { rows in
            let rows = rows.baseAddress!
            // One loop per window size, so that neither carries the other's branch.
            if t.window == 4 {
                forEachWindow(padded, t, tiles: tiles, firstTile: firstTile, into: v) { p, target in
                    Self.transformSmallInput(p, rowStride: t.paddedWidth * 8, rows: rows, into: target, step: step)
                }
                return
            }
            forEachWindow(padded, t, tiles: tiles, firstTile: firstTile, into: v) { p, target in
                // Bᵀ·d down each column j, then Bᵀ along each resulting row.
                for j in 0..<6 {
                    @inline(__always) func at(_ i: Int) -> Float8 { p.load8((i * t.paddedWidth + j) * 8) }
                    let d = Self.inputRows(at(0), at(1), at(2), at(3), at(4), at(5))
                    rows[0 * 6 + j] = d.0; rows[1 * 6 + j] = d.1; rows[2 * 6 + j] = d.2
                    rows[3 * 6 + j] = d.3; rows[4 * 6 + j] = d.4; rows[5 * 6 + j] = d.5
                }
                for a in 0..<6 {
                    let r = rows + a * 6
                    let e = Self.inputRows(r[0], r[1], r[2], r[3], r[4], r[5])
                    let out = target + a * 6 * step
                    out.store8(e.0, 0); out.store8(e.1, step); out.store8(e.2, 2 * step)
                    out.store8(e.3, 3 * step); out.store8(e.4, 4 * step); out.store8(e.5, 5 * step)
                }
            }
        }
    }

    /// Calls `body` with each tile in `tiles` and each 8-channel block: where the tile's input window
    /// of that block starts in the padded copy, and where its transformed values go in `v` (tile
    /// `k`'s at row `k − firstTile`).
    @inline(__always)
    private func forEachWindow(
        _ padded: UnsafePointer<Float>, _ t: Tiling, tiles: Range<Int>, firstTile: Int, into v: UnsafeMutablePointer<Float>,
        _ body: (_ window: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>) -> Void
    ) {
        let blocks = inBlocks, step = 8 * blocks
        for k in tiles {
            let n = k / t.tilesPerImage, r = k % t.tilesPerImage
            let window =
                padded + n * blocks * t.blockPlane + (t.tileSize * ((r / t.tilesWide) * t.paddedWidth + r % t.tilesWide)) * 8
            for block in 0..<blocks {
                body(window + block * t.blockPlane, v + (k - firstTile) * t.positions * step + block * 8)
            }
        }
    }

    /// Output tiles `Aᵀ·M·A` of `tiles` (tile `k`'s `M` at `m`'s row `k − firstTile`) plus bias,
    /// through the activation, into the NCHW output (partial tiles at the edges clipped).
    private func transformOutput(
        _ m: UnsafePointer<Float>, _ t: Tiling, tiles: Range<Int>, firstTile: Int, activation: ActivationFunction,
        into output: UnsafeMutablePointer<Float>, stride outputStride: Int
    ) {
        let step = 8 * outBlocks
        let outPlane = t.outHeight * t.outWidth
        blockBias.withUnsafeBufferPointer { bias in
            // 24 vectors of Aᵀ·M, then the 16 finished pixels (8 channels each) of one tile and block.
            withUnsafeTemporaryAllocation(of: Float8.self, capacity: 24 + 16) { buffer in
                let partial = buffer.baseAddress!, pixels = partial + 24
                let flat = UnsafeMutableRawPointer(pixels).assumingMemoryBound(to: Float.self)
                let size = t.tileSize
                for k in tiles {
                    let n = k / t.tilesPerImage, r = k % t.tilesPerImage
                    let th = r / t.tilesWide, tx = r % t.tilesWide
                    let corner = output + n * outputStride + size * (th * t.outWidth + tx)
                    let rowsValid = min(size, t.outHeight - size * th), colsValid = min(size, t.outWidth - size * tx)
                    for block in 0..<outBlocks {
                        let source = m + (k - firstTile) * t.positions * step + block * 8
                        let b = bias.baseAddress!.load8(block * 8)
                        let channels = min(8, outChannels - block * 8), first = corner + block * 8 * outPlane
                        if size == 2 {
                            Self.finishSmallTile(
                                source, window: t.window, step: step, bias: b, activation: activation, pixels: pixels,
                                channels: channels,
                                rowsValid: rowsValid, colsValid: colsValid, into: first, rowStride: t.outWidth,
                                planeStride: outPlane)
                            continue
                        }
                        for j in 0..<6 {
                            @inline(__always) func at(_ i: Int) -> Float8 { source.load8((i * 6 + j) * step) }
                            let s = Self.outputRows(at(0), at(1), at(2), at(3), at(4), at(5))
                            partial[0 * 6 + j] = s.0; partial[1 * 6 + j] = s.1; partial[2 * 6 + j] = s.2; partial[3 * 6 + j] = s.3
                        }
                        for a in 0..<4 {
                            let q = partial + a * 6
                            let y = Self.outputRows(q[0], q[1], q[2], q[3], q[4], q[5])
                            pixels[a * 4] = y.0 + b; pixels[a * 4 + 1] = y.1 + b
                            pixels[a * 4 + 2] = y.2 + b; pixels[a * 4 + 3] = y.3 + b
                        }
                        activation.apply(flat, count: 128)
                        if colsValid == 4 {
                            // Each row's 4 pixels × 8 channels become 8 channel rows of 4 pixels.
                            for a in 0..<rowsValid {
                                let row = pixels + a * 4
                                Self.storeTransposed(
                                    row[0], row[1], row[2], row[3], channels: channels,
                                    into: first + a * t.outWidth, planeStride: outPlane)
                            }
                        } else {
                            for lane in 0..<channels {
                                let plane = first + lane * outPlane
                                for a in 0..<rowsValid {
                                    for x in 0..<colsValid { plane[a * t.outWidth + x] = flat[(a * 4 + x) * 8 + lane] }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// A 2×2 output tile of one 8-channel block, F(2×2, 5×5)'s (`window` 6) or F(2×2, 3×3)'s (4):
    /// `Aᵀ·M·A` (M's window² vectors `step` floats apart at `source`) plus `bias`, through the
    /// activation (in `pixels`, 4 vectors of scratch), its first `rowsValid × colsValid` pixels stored
    /// for the first `channels` lanes, channel `c`'s rows at `destination + c·planeStride`, `rowStride`
    /// apart.
    @inline(__always)
    private static func finishSmallTile(
        _ source: UnsafePointer<Float>, window: Int, step: Int, bias: Float8, activation: ActivationFunction,
        pixels: UnsafeMutablePointer<Float8>, channels: Int, rowsValid: Int, colsValid: Int,
        into destination: UnsafeMutablePointer<Float>, rowStride: Int, planeStride: Int
    ) {
        var partial: (Float8, Float8, Float8, Float8, Float8, Float8, Float8, Float8, Float8, Float8, Float8, Float8) = (
            .zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero
        )
        withUnsafeMutableBytes(of: &partial) { raw in
            let rows = raw.baseAddress!.assumingMemoryBound(to: Float8.self)
            if window == 4 {
                for j in 0..<4 {
                    @inline(__always) func at(_ i: Int) -> Float8 { source.load8((i * 4 + j) * step) }
                    let s = pairOutputRows(at(0), at(1), at(2), at(3))
                    rows[j] = s.0; rows[4 + j] = s.1
                }
                for a in 0..<2 {
                    let q = rows + a * 4
                    let y = pairOutputRows(q[0], q[1], q[2], q[3])
                    pixels[a * 2] = y.0 + bias; pixels[a * 2 + 1] = y.1 + bias
                }
                return
            }
            for j in 0..<6 {
                @inline(__always) func at(_ i: Int) -> Float8 { source.load8((i * 6 + j) * step) }
                let s = smallOutputRows(at(0), at(1), at(2), at(3), at(4), at(5))
                rows[j] = s.0; rows[6 + j] = s.1
            }
            for a in 0..<2 {
                let q = rows + a * 6
                let y = smallOutputRows(q[0], q[1], q[2], q[3], q[4], q[5])
                pixels[a * 2] = y.0 + bias; pixels[a * 2 + 1] = y.1 + bias
            }
        }
        activation.apply(UnsafeMutableRawPointer(pixels).assumingMemoryBound(to: Float.self), count: 32)
        for a in 0..<rowsValid {
            let p0 = pixels[a * 2], p1 = pixels[a * 2 + 1], row = destination + a * rowStride
            if colsValid == 2 {
                for c in 0..<channels {
                    UnsafeMutableRawPointer(row + c * planeStride).storeBytes(of: SIMD2(p0[c], p1[c]), as: SIMD2<Float>.self)
                }
            } else {
                for c in 0..<channels { row[c * planeStride] = p0[c] }
            }
        }
    }

    /// F(2, 5)'s `Aᵀ·m` for one 6-vector of lanes: A's columns (1, 1, 1, 1, 1, 0) and (0, 1, −1, 2, −2, 1).
    @inline(__always)
    private static func smallOutputRows(_ m0: Float8, _ m1: Float8, _ m2: Float8, _ m3: Float8, _ m4: Float8, _ m5: Float8)
        -> (Float8, Float8)
    {
        let p = m1 + m2, q = m1 - m2, r = m3 + m4, s = m3 - m4
        return (m0 + p + r, q + Float8(repeating: 2) * s + m5)
    }

    /// F(2, 3)'s `Aᵀ·m` for one 4-vector of lanes: Aᵀ = [1 1 1 0; 0 1 −1 −1].
    @inline(__always)
    private static func pairOutputRows(_ m0: Float8, _ m1: Float8, _ m2: Float8, _ m3: Float8) -> (Float8, Float8) {
        (m0 + m1 + m2, m1 - m2 - m3)
    }

    /// F(2, 3)'s `Bᵀ·d` for one 4-vector of lanes: Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1].
    @inline(__always)
    static func pairInputRows(_ d0: Float8, _ d1: Float8, _ d2: Float8, _ d3: Float8) -> (Float8, Float8, Float8, Float8) {
        (d0 - d2, d1 + d2, d2 - d1, d1 - d3)
    }

    /// F(2×2, 3×3)'s `Bᵀ·d·B` of one 8-channel block's 4×4 window at `p` (rows `rowStride` floats
    /// apart), its 16 vectors stored `step` floats apart from `target`; `rows` is 16 vectors of scratch.
    @inline(__always)
    private static func transformSmallInput(
        _ p: UnsafePointer<Float>, rowStride: Int, rows: UnsafeMutablePointer<Float8>,
        into target: UnsafeMutablePointer<Float>, step: Int
    ) {
        for j in 0..<4 {
            @inline(__always) func at(_ i: Int) -> Float8 { p.load8(i * rowStride + j * 8) }
            let d = pairInputRows(at(0), at(1), at(2), at(3))
            rows[j] = d.0; rows[4 + j] = d.1; rows[8 + j] = d.2; rows[12 + j] = d.3
        }
        for a in 0..<4 {
            let r = rows + a * 4
            let e = pairInputRows(r[0], r[1], r[2], r[3])
            let out = target + a * 4 * step
            out.store8(e.0, 0); out.store8(e.1, step); out.store8(e.2, 2 * step); out.store8(e.3, 3 * step)
        }
    }

    /// Stores lane `c` of the four pixels `p0…p3` as the 4 floats at `destination + c·planeStride`, for the first `channels` lanes.
    @inline(__always)
    private static func storeTransposed(
        _ p0: Float8, _ p1: Float8, _ p2: Float8, _ p3: Float8, channels: Int,
        into destination: UnsafeMutablePointer<Float>, planeStride: Int
    ) {
        // Interleave pairs, then pairs of pairs: lane c of the result holds (p0[c], p1[c], p2[c], p3[c]).
        let low01 = SIMD8(p0[0], p1[0], p0[1], p1[1], p0[4], p1[4], p0[5], p1[5])
        let high01 = SIMD8(p0[2], p1[2], p0[3], p1[3], p0[6], p1[6], p0[7], p1[7])
        let low23 = SIMD8(p2[0], p3[0], p2[1], p3[1], p2[4], p3[4], p2[5], p3[5])
        let high23 = SIMD8(p2[2], p3[2], p2[3], p3[3], p2[6], p3[6], p2[7], p3[7])
        // Row r holds channels r and r + 4.
        let r0 = SIMD8(low01[0], low01[1], low23[0], low23[1], low01[4], low01[5], low23[4], low23[5])
        let r1 = SIMD8(low01[2], low01[3], low23[2], low23[3], low01[6], low01[7], low23[6], low23[7])
        let r2 = SIMD8(high01[0], high01[1], high23[0], high23[1], high01[4], high01[5], high23[4], high23[5])
        let r3 = SIMD8(high01[2], high01[3], high23[2], high23[3], high01[6], high01[7], high23[6], high23[7])
        @inline(__always) func store(_ c: Int, _ row: SIMD4<Float>) {
            if c < channels { UnsafeMutableRawPointer(destination + c * planeStride).storeBytes(of: row, as: SIMD4<Float>.self) }
        }
        store(0, r0.lowHalf); store(1, r1.lowHalf); store(2, r2.lowHalf); store(3, r3.lowHalf)
        store(4, r0.highHalf); store(5, r1.highHalf); store(6, r2.highHalf); store(7, r3.highHalf)
    }

    /// `Bᵀ·d` for one 6-vector of lanes.
    @inline(__always)
    static func inputRows(_ d0: Float8, _ d1: Float8, _ d2: Float8, _ d3: Float8, _ d4: Float8, _ d5: Float8)
        -> (Float8, Float8, Float8, Float8, Float8, Float8)
    {
        let four = Float8(repeating: 4), five = Float8(repeating: 5), two = Float8(repeating: 2)
        let a = d4 - four * d2, b = d3 - four * d1
        let c = d4 - d2, e = two * (d3 - d1)
        return (four * d0 - five * d2 + d4, a + b, a - b, c + e, c - e, four * d1 - five * d3 + d5)
    }

    /// F(4, 3)'s `Aᵀ·m` for one 6-vector of lanes.
    @inline(__always)
    static func outputRows(_ m0: Float8, _ m1: Float8, _ m2: Float8, _ m3: Float8, _ m4: Float8, _ m5: Float8)
        -> (Float8, Float8, Float8, Float8)
    {
        let p = m1 + m2, q = m1 - m2, r = m3 + m4, s = m3 - m4
        return (m0 + p + r, q + Float8(repeating: 2) * s, p + Float8(repeating: 4) * r, q + Float8(repeating: 8) * s + m5)
    }
}
