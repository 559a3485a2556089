/// A convolution with its weights prepared once, run over batches of NCHW images.
///
/// Paths: 1×1 stride-1 unpadded convs are one GEMM straight on the input; depthwise convs run a
/// direct vectorised loop with bias and activation fused; stride-1 3×3 and 5×5 convs on maps of at
/// least 16 tiles run Winograd F(4×4, 3×3) or F(2×2, 5×5) over the whole batch (prepared 3×3 convs on
/// smaller maps with 16 tiles of 2×2, F(2×2, 3×3)), and prepared 1×7,
/// 7×1, 1×3 and 3×1 convs Winograd F(2, 7) or F(4, 3) along their axis at every size; everything
/// else unfolds each group with `im2col` and multiplies. A batch of small maps may run its pointwise or unfolded conv as one GEMM over all
/// its images (`runsAsOneGEMM`).
///
/// The GEMMs are OpenBLAS's until `prepare()` replaces the weights by their packed form
/// (`PackedMatrix`): then our own micro-kernel multiplies, with scale, bias and activation applied as
/// it stores each tile. With OpenBLAS they are applied per output row right after the product.
///
/// Preparation is explicit and comes before any run: `prepare(for:)` packs the weights,
/// `prepare(height:width:split:)` transforms the Winograd weights an input size needs (or readies
/// the kernel that transforms them in each run, for maps too small to pay for storing them). Queries
/// (`scratchCount`, `usesWinograd`) build nothing.
///
/// Sendable without the compiler's proof: the kernel changes only in its `prepare` steps, which
/// are the planning step — run once each, before and never concurrently with a `run` (an
/// `ExecutionPlan` prepares while it plans, then runs one kernel from several threads, which only
/// read it).
public final class ConvolutionKernel: @unchecked Sendable {
    /// The convolution's shape: channels, kernel, stride, padding, dilation, groups.
    public let geometry: ConvolutionGeometry
    /// Applied to each output in the kernel's store, after the scale and bias.
    public let activation: ActivationFunction
    /// Applied to the input as the GEMM reads it, nil for none (a pointwise conv only).
    public let inputAffine: InputAffine?

    /// A per-input-channel affine map, then ReLU or nothing, that a pointwise conv applies to its
    /// input as it packs it: `x' = f(fma(x, scale[c], shift[c]))`, rounded as the activation loops
    /// round `f.apply(…, scale: scale[c], bias: shift[c])` (a BatchNorm and ReLU before the conv,
    /// DenseNet's, whose normalised feature map is then never written).
    public struct InputAffine: Sendable, Equatable {
        /// One factor per input channel.
        public let scale: [Float]
        /// One term per input channel.
        public let shift: [Float]
        /// Whether a ReLU follows the affine map.
        public let appliesReLU: Bool

        /// The map `x' = f(fma(x, scale[c], shift[c]))`, `f` ReLU or nothing.
        public init(scale: [Float], shift: [Float], appliesReLU: Bool) {
            precondition(scale.count == shift.count, "an input affine needs one shift per scale")
            self.scale = scale
            self.shift = shift
            self.appliesReLU = appliesReLU
        }
    }
    /// `[out, in / groups · kh · kw]`, PyTorch's layout, which is the GEMM's A matrix as is, or that
    /// matrix packed for the micro-kernel, or for a 1×k or k×1 conv the filters transformed for
    /// Winograd (the only copy kept once prepared).
    private var weights: Weights
    private enum Weights {
        case plain(KernelWeights)
        /// One matrix per group: group `g`'s output channels against its input channels.
        case packed([PackedMatrix])
        /// A 1×7, 7×1, 1×3 or 3×1 conv's filters transformed for Winograd along its axis, whatever
        /// the input size.
        case lineWinograd(LineWinogradConvolution)
    }
    /// Per output channel: `y = scale·(w ⋆ x) + bias` (scale from a folded BatchNorm, else 1).
    private let scale: [Float]
    private let bias: [Float]
    /// The kernel copies (packed GEMM, depthwise) this conv runs: the active one until `prepare` says.
    private var instructionSet = InstructionSet.active
    /// Built by `prepare(height:width:split:)` for the first input size that takes the Winograd path:
    /// the kernel that stores its transformed filters only once a map big enough to pay for their
    /// memory (4× the weights) comes, the one that transforms them in each run before that.
    private var winograd: WinogradConvolution?
    /// Built by `prepare(height:width:split:)` for the first input size that takes F(2×2, 3×3): a
    /// kernel on 4×4 input tiles that transforms its filters in each run.
    private var pairWinograd: WinogradConvolution?

    /// Output planes at least this big go through Winograd with its transformed filters stored: below
    /// it the 36 GEMMs get too few columns to pay for the filters' memory.
    static let winogradMinimumPixels = 400

    /// Smaller planes still store the transformed filters when those (36·out·in floats) are at most
    /// this many times the transformed input (36·in·tiles): DenseNet's 128 → 32 convs on 14×14 and 7×7
    /// maps (time −36% and −41% measured).
    static let winogradWeightsPerInput = 8

    /// Smaller planes with at least this many 4×4 tiles per image run Winograd transforming the
    /// filters in each run: ResNet's 256 → 256 convs on 14×14 (16 tiles) 7.4 → 2.9 ms each with stored
    /// filters, which ResNet50's memory goal has no room for. Fewer tiles leave the GEMMs' column panels
    /// part empty and the transform too little work to spread over (Inception's 448 → 384 on 8×8, 4
    /// tiles, and ResNet's 512 → 512 on 7×7 gain nothing or lose): those run F(2×2, 3×3) when they
    /// have this many 2×2 tiles (`WinogradMode.pairTiles`).
    static let winogradPerRunMinimumTiles = 16

    /// How a conv runs Winograd for one size of input, if it does: F(4×4, 3×3) or F(2×2, 5×5) with
    /// stored filters or filters transformed in each run, or F(2×2, 3×3) with filters transformed in
    /// each run (`pairTiles`): for 3×3 maps too small for 4×4 output tiles (fewer than
    /// `winogradPerRunMinimumTiles` of them) but with at least that many 2×2 ones: ResNet's 512 → 512
    /// convs on 7×7 (16 tiles; one core, one image: 7.8 → 6.0 ms each) and Inception's 448 → 384 on
    /// 8×8 (6.4 → 4.1 ms). It multiplies 16 times per 4 outputs instead of 36, where the 4×4 tiles of
    /// a 7×7 map would leave most of their GEMMs' columns empty.
    private enum WinogradMode {
        case storedFilters, filtersPerRun, pairTiles
    }

    /// Most floats an im2col matrix may take: larger ones (a stem conv over a big image) are
    /// unfolded and multiplied a band of output rows at a time, which bounds the scratch memory
    /// while each band still gives the GEMM thousands of columns (2 MiB: ResNet50's stem runs in bands
    /// of 31 of its 112 output rows, 3,472 columns each).
    static let im2colBudget = 1 << 19

    /// Convs of a batch whose output planes are smaller than this may run as one GEMM over the whole
    /// batch (the images' pixels side by side as columns): OpenBLAS then packs the weights once per
    /// batch instead of once per image, and gets a wider product. Larger planes already give each
    /// image's GEMM thousands of columns.
    static let batchedMaximumPixels = 1024

    /// Most floats the batch-wide im2col matrix may take (16 MB).
    static let batchedIm2colBudget = 1 << 22

    /// Whether `batch` images of `height × width` run as one GEMM (`convolveBatch`). A pointwise conv
    /// must first gather its input planes side by side (`in × batch·pixels` floats copied), so it does
    /// when the weight packing saved is larger, `(batch − 1)·out > batch·pixels`: efficientnet_b0's
    /// wide 7×7 and 14×14 convs, not DenseNet's 128-channel ones at 14×14 (measured slower). An
    /// unfolded conv writes its im2col matrix anyway, so it only needs the matrix to fit the budget.
    private func runsAsOneGEMM(batch: Int, height: Int, width: Int) -> Bool {
        let g = geometry, pixels = g.outputHeight(height) * g.outputWidth(width)
        guard batch > 1, pixels < Self.batchedMaximumPixels, g.groups == 1 else { return false }
        if g.isPointwise { return (batch - 1) * g.outChannels > batch * pixels }
        return g.inChannels * g.kernelHeight * g.kernelWidth * batch * pixels <= Self.batchedIm2colBudget
    }

    /// Output rows per im2col band.
    private func bandRows(height: Int, width: Int) -> Int {
        let g = geometry
        let depth = g.inChannels / g.groups * g.kernelHeight * g.kernelWidth
        return max(1, min(g.outputHeight(height), Self.im2colBudget / (depth * g.outputWidth(width))))
    }

    /// `scale` (one factor per output channel, nil for none) multiplies each output channel's sum
    /// before `bias` is added and `activation` applied.
    public init(
        geometry: ConvolutionGeometry, weights: KernelWeights, scale: [Float]? = nil, bias: [Float]?,
        activation: ActivationFunction, inputAffine: InputAffine? = nil
    ) {
        precondition(
            weights.count == geometry.outChannels * geometry.inChannels / geometry.groups
                * geometry.kernelHeight * geometry.kernelWidth, "conv weights do not match \(geometry)")
        precondition(scale.map { $0.count == geometry.outChannels } ?? true, "conv scale does not match \(geometry)")
        precondition(
            inputAffine.map { $0.scale.count == geometry.inChannels && geometry.isPointwise && geometry.groups == 1 } ?? true,
            "an input affine needs a pointwise conv of one group and one factor per input channel: \(geometry)")
        self.geometry = geometry
        self.weights = .plain(weights)
        self.scale = scale ?? [Float](repeating: 1, count: geometry.outChannels)
        self.bias = bias ?? [Float](repeating: 0, count: geometry.outChannels)
        self.activation = activation
        self.inputAffine = inputAffine
    }

    /// A kernel over weights in its own array.
    public convenience init(
        geometry: ConvolutionGeometry, weights: [Float], scale: [Float]? = nil, bias: [Float]?,
        activation: ActivationFunction, inputAffine: InputAffine? = nil
    ) {
        self.init(
            geometry: geometry, weights: KernelWeights(weights), scale: scale, bias: bias, activation: activation,
            inputAffine: inputAffine)
    }

    /// Whether a `height × width` input takes the Winograd path (decided per image: the algorithm an
    /// image's convs use does not depend on the batch it comes in).
    public func usesWinograd(height: Int, width: Int) -> Bool { winogradMode(height: height, width: width) != nil }

    /// The Winograd path for an input size: decided per image, and both modes give the same outputs.
    private func winogradMode(height: Int, width: Int) -> WinogradMode? {
        let g = geometry
        guard WinogradConvolution.supports(g), g.inChannels >= 8, g.outChannels >= 8 else { return nil }
        let outHeight = g.outputHeight(height), outWidth = g.outputWidth(width)
        let size = WinogradConvolution.tileSize(kernelSize: g.kernelHeight)
        let tiles = (outHeight + size - 1) / size * ((outWidth + size - 1) / size)
        if outHeight * outWidth >= Self.winogradMinimumPixels || g.outChannels <= Self.winogradWeightsPerInput * tiles {
            return .storedFilters
        }
        guard isPacked else { return nil }
        if tiles >= Self.winogradPerRunMinimumTiles { return .filtersPerRun }
        let pairTiles = (outHeight + 1) / 2 * ((outWidth + 1) / 2)
        return g.kernelHeight == 3 && pairTiles >= Self.winogradPerRunMinimumTiles ? .pairTiles : nil
    }

    /// Whether `prepare` packs the weights: every conv that runs as GEMMs (a grouped one as one GEMM
    /// per group, each group's weights packed on their own), not a depthwise one.
    public var packs: Bool { !geometry.isDepthwise }

    /// The planning step, run once before the first `run` (not concurrently with one): replaces the
    /// weights by the kernel's own copy — packed for `instructionSet`'s micro-kernel when `packs`,
    /// else a plain array — so that afterwards the kernel reads no memory it was lent, and runs
    /// `instructionSet`'s copies of the C kernels from then on.
    public func prepare(for instructionSet: InstructionSet = .active) {
        guard case .plain(let plain) = weights else { return }
        self.instructionSet = instructionSet
        guard packs else {
            weights = .plain(plain.owned())
            return
        }
        let g = geometry
        if LineWinogradConvolution.supports(g), g.inChannels >= 8, g.outChannels >= 8 {
            weights = .lineWinograd(
                plain.withUnsafeBufferPointer { w in
                    LineWinogradConvolution(
                        weights: w.baseAddress!, scale: scale, bias: bias, geometry: g, instructionSet: instructionSet)
                })
            return
        }
        let rows = g.outChannels / g.groups, depth = g.inChannels / g.groups * g.kernelHeight * g.kernelWidth
        weights = .packed(
            plain.withUnsafeBufferPointer { w in
                (0..<g.groups).map { group in
                    PackedMatrix(w.baseAddress! + group * rows * depth, rows: rows, columns: depth, instructionSet: instructionSet)
                }
            })
    }

    /// The planning step for inputs of `height × width`, run before the first `run` on them (after
    /// `prepare(for:)`, not concurrently with a run): transforms the Winograd weights when that size
    /// takes the Winograd path and they are not built yet, the work cut as `split` cuts it.
    public func prepare(height: Int, width: Int, split: WorkSplit = .serial) {
        guard let mode = winogradMode(height: height, width: width) else { return }
        if mode == .pairTiles {
            guard pairWinograd == nil, case .packed(let matrices) = weights else { return }
            pairWinograd = WinogradConvolution(
                weights: matrices[0], scale: scale, bias: bias, geometry: geometry, storesFilters: false, window: 4)
            return
        }
        let stores = mode == .storedFilters
        if let winograd, winograd.storesFilters || !stores { return }
        let packed: PackedMatrix
        switch weights {
        case .plain(let plain):
            let g = geometry
            packed = plain.withUnsafeBufferPointer { w in
                PackedMatrix(
                    w.baseAddress!, rows: g.outChannels, columns: g.kernelHeight * g.kernelWidth * g.inChannels,
                    instructionSet: instructionSet)
            }
        case .packed(let matrices): packed = matrices[0]
        case .lineWinograd: return
        }
        winograd = WinogradConvolution(
            weights: packed, scale: scale, bias: bias, geometry: geometry, storesFilters: stores, split: split)
    }

    /// Floats of scratch `run` needs for `batch` images of `height × width` cut as `split` cuts them.
    public func scratchCount(batch: Int, height: Int, width: Int, split: WorkSplit = .serial) -> Int {
        let g = geometry
        if case .lineWinograd(let line) = weights { return line.scratchCount(batch: batch, height: height, width: width, split: split) }
        if let mode = winogradMode(height: height, width: width) {
            return WinogradConvolution.scratchCount(
                g, batch: batch, height: height, width: width, storesFilters: mode == .storedFilters, split: split,
                instructionSet: instructionSet, window: mode == .pairTiles ? 4 : 6)
        }
        if g.isDepthwise { return split.threads * Kernels.depthwiseScratchCount(height: height, width: width, geometry: g) }
        return matricesCount(batch: batch, height: height, width: width)
            + productScratchCount(split: split, columns: productColumns(batch: batch, height: height, width: width))
    }

    /// Columns of the GEMMs a run on `batch` images of `height × width` multiplies (the widest, for
    /// an unfolded conv cut in bands): what its scratch is sized for.
    private func productColumns(batch: Int, height: Int, width: Int) -> Int {
        let g = geometry
        if runsAsOneGEMM(batch: batch, height: height, width: width) { return batch * g.outputHeight(height) * g.outputWidth(width) }
        if g.isPointwise { return g.outputHeight(height) * g.outputWidth(width) }
        return bandRows(height: height, width: width) * g.outputWidth(width)
    }

    /// Floats of the im2col or batch matrices at the start of the scratch.
    private func matricesCount(batch: Int, height: Int, width: Int) -> Int {
        let g = geometry
        if runsAsOneGEMM(batch: batch, height: height, width: width) {
            return (g.inChannels * g.kernelHeight * g.kernelWidth + g.outChannels) * batch * g.outputHeight(height) * g.outputWidth(width)
        }
        if g.isPointwise { return 0 }
        return g.inChannels / g.groups * g.kernelHeight * g.kernelWidth * bandRows(height: height, width: width) * g.outputWidth(width)
    }

    /// Whether `prepare` has replaced the weights by the transformed filters of Winograd along one
    /// axis, which every run then uses.
    var runsLineWinograd: Bool {
        if case .lineWinograd = weights { return true }
        return false
    }

    /// Whether `prepare` has replaced the weights by their packed form.
    private var isPacked: Bool {
        if case .packed = weights { return true }
        return false
    }

    /// Floats of scratch the GEMM itself takes for products of `columns` columns (the packed kernel's
    /// panels of B; OpenBLAS takes none).
    private func productScratchCount(split: WorkSplit, columns: Int) -> Int {
        if case .packed(let packed) = weights { return packed[0].scratchCount(split: split, n: columns) }
        return 0
    }

    /// Convolves `batch` images. Image `n` is read at `input + n·inputStride` (`inChannels` planes
    /// of `height × width`) and written at `output + n·outputStride`, so either side may be a
    /// channel slice of a larger buffer. `split` spreads each image's work over cores: output
    /// channels or pixels of the GEMMs, Winograd tiles and positions, depthwise channels.
    ///
    /// `inputScale`, nil for none, gates the input channels (a squeeze-excitation's output fused
    /// into the conv after it): image `n`'s input channel `c` is multiplied by
    /// `inputScale[n·inputScaleStride + c]` as the GEMM reads it, with the rounding of a separate
    /// product. Only a pointwise conv whose weights `prepare()` packed takes one.
    ///
    /// `residual`, nil for none, is a feature map the output's shape (image `n` at
    /// `residual + n·residualStride`, not overlapping the output) added to every output before the
    /// activation, rounded as a separate add would round it. Only a 1×1 conv of one group takes one.
    ///
    /// A kernel made with an `inputAffine` applies it to the input as it reads it (packed weights
    /// only, and no `inputScale` then).
    public func run(
        input: UnsafePointer<Float>, inputStride: Int, height: Int, width: Int,
        output: UnsafeMutablePointer<Float>, outputStride: Int, batch: Int,
        inputScale: UnsafePointer<Float>? = nil, inputScaleStride: Int = 0,
        residual: UnsafePointer<Float>? = nil, residualStride: Int = 0,
        scratch: UnsafeMutablePointer<Float>, split: WorkSplit = .serial
    ) {
        let g = geometry
        precondition(
            inputScale == nil || (g.isPointwise && isPacked),
            "\(g): an input scale needs a pointwise conv with packed weights (prepare() first)")
        precondition(
            inputAffine == nil || (isPacked && inputScale == nil),
            "\(g): an input affine needs packed weights (prepare() first) and no input scale")
        precondition(
            residual == nil || (g.kernelHeight == 1 && g.kernelWidth == 1 && g.groups == 1),
            "\(g): a residual needs a 1×1 conv of one group")
        let outHeight = g.outputHeight(height), outWidth = g.outputWidth(width)
        let pixels = outHeight * outWidth
        if case .lineWinograd(let line) = weights {
            line.run(
                input: input, inputStride: inputStride, height: height, width: width, output: output,
                outputStride: outputStride, batch: batch, activation: activation, scratch: scratch, split: split)
            return
        }
        if let mode = winogradMode(height: height, width: width) {
            guard let winograd = mode == .pairTiles ? pairWinograd : winograd,
                winograd.storesFilters || mode != .storedFilters
            else {
                preconditionFailure("\(g) on \(height)×\(width): prepare(height:width:) before run")
            }
            winograd.run(
                input: input, inputStride: inputStride, height: height, width: width,
                output: output, outputStride: outputStride, batch: batch, activation: activation,
                scratch: scratch, split: split, filtersPerRun: mode != .storedFilters)
            return
        }
        let matrices = scratch, productScratch = scratch + matricesCount(batch: batch, height: height, width: width)
        let scratchColumns = productColumns(batch: batch, height: height, width: width)
        if runsAsOneGEMM(batch: batch, height: height, width: width) {
            convolveBatch(
                input, inputStride: inputStride, height: height, width: width, output: output,
                outputStride: outputStride, batch: batch, inputScale: inputScale, inputScaleStride: inputScaleStride,
                residual: residual, residualStride: residualStride,
                scratch: matrices, productScratch: productScratch, scratchColumns: scratchColumns, split: split)
            return
        }
        for n in 0..<batch {
            let x = input + n * inputStride
            let y = output + n * outputStride, r = residual.map { $0 + n * residualStride }
            if g.isDepthwise {
                convolveDepthwise(x, height: height, width: width, output: y, scratch: scratch, split: split)
            } else if g.isPointwise {
                withRowTransform(inputScale.map { $0 + n * inputScaleStride }) { bScale, bShift in
                    multiply(
                        rowsOf: 0, n: pixels, b: x, ldb: pixels, bScale: bScale, bShift: bShift,
                        c: y, ldc: pixels, finish: true, residual: r, scratch: productScratch,
                        scratchColumns: scratchColumns, split: split)
                }
            } else {
                convolveUnfolded(
                    x, height: height, width: width, output: y, residual: r, scratch: matrices,
                    productScratch: productScratch, scratchColumns: scratchColumns, split: split)
            }
        }
    }

    /// Calls `body` with the factors and terms B's rows are transformed by: an image's gate
    /// (`inputScale`, no terms), or the input affine's scale and shift, or neither.
    private func withRowTransform(
        _ inputScale: UnsafePointer<Float>?, _ body: (UnsafePointer<Float>?, UnsafePointer<Float>?) -> Void
    ) {
        guard let inputAffine else { return body(inputScale, nil) }
        inputAffine.scale.withUnsafeBufferPointer { s in
            inputAffine.shift.withUnsafeBufferPointer { t in body(s.baseAddress!, t.baseAddress!) }
        }
    }

    /// `C = W·B` for the output channels of `group` (W's rows `group·out/groups ..<`), B `k × n` with
    /// rows `ldb` apart (each times its `bScale` factor when given, or with `bShift` too mapped by the
    /// input affine: packed weights only), C rows `ldc` apart; with `finish`, each output channel's
    /// row then gets its scale, bias and activation (fused into the packed kernel's store).
    private func multiply(
        rowsOf group: Int, n: Int, b: UnsafePointer<Float>, ldb: Int, bScale: UnsafePointer<Float>? = nil,
        bShift: UnsafePointer<Float>? = nil,
        c: UnsafeMutablePointer<Float>, ldc: Int, finish: Bool, residual: UnsafePointer<Float>? = nil,
        scratch: UnsafeMutablePointer<Float>, scratchColumns: Int, split: WorkSplit
    ) {
        let g = geometry, rows = g.outChannels / g.groups, depth = g.inChannels / g.groups * g.kernelHeight * g.kernelWidth
        let bReLU = bShift != nil && inputAffine?.appliesReLU == true
        scale.withUnsafeBufferPointer { s in
            bias.withUnsafeBufferPointer { t in
                let s = s.baseAddress! + group * rows, t = t.baseAddress! + group * rows
                switch weights {
                case .packed(let groups):
                    let packed = groups[group]
                    if finish {
                        packed.multiply(
                            n: n, b: b, ldb: ldb, bScale: bScale, bShift: bShift, bReLU: bReLU,
                            c: c, ldc: ldc, scale: s, bias: t,
                            residual: residual, residualStride: ldc, activation: activation, scratch: scratch,
                            scratchColumns: scratchColumns, split: split)
                    } else {
                        packed.multiply(
                            n: n, b: b, ldb: ldb, bScale: bScale, bShift: bShift, bReLU: bReLU,
                            c: c, ldc: ldc, scratch: scratch, scratchColumns: scratchColumns, split: split)
                    }
                case .lineWinograd:
                    preconditionFailure("\(g): a conv of Winograd along one axis runs no GEMM of its weights")
                case .plain(let plain):
                    plain.withUnsafeBufferPointer { w in
                        Kernels.gemm(
                            m: rows, n: n, k: depth, a: w.baseAddress! + group * rows * depth, lda: depth,
                            b: b, ldb: ldb, c: c, ldc: ldc, split: split)
                    }
                    guard finish else { return }
                    split.forEachRange(rows, minimum: max(1, 4096 / n)) { channels in
                        for o in channels { finishRow(c + o * ldc, count: n, scale: s[o], bias: t[o], residual: residual.map { $0 + o * ldc }) }
                    }
                }
            }
        }
    }

    /// `y[i] = activation(scale·y[i] + bias + residual[i])` for `count` values, rounded as the packed
    /// kernel's store rounds it; without a residual, `activation(scale·y[i] + bias)`.
    private func finishRow(_ y: UnsafeMutablePointer<Float>, count: Int, scale: Float, bias: Float, residual: UnsafePointer<Float>?) {
        guard let residual else { return activation.apply(y, count: count, scale: scale, bias: bias) }
        activation.apply(from: y, adding: residual, to: y, count: count, scale: scale, bias: bias)
    }

    /// One image's depthwise conv, its channels split over cores (each part with its own scratch).
    private func convolveDepthwise(
        _ x: UnsafePointer<Float>, height: Int, width: Int, output y: UnsafeMutablePointer<Float>,
        scratch: UnsafeMutablePointer<Float>, split: WorkSplit
    ) {
        guard case .plain(let plain) = weights else { preconditionFailure("depthwise conv weights are never packed") }
        let g = geometry, outHeight = g.outputHeight(height), outWidth = g.outputWidth(width)
        let perPart = Kernels.depthwiseScratchCount(height: height, width: width, geometry: g)
        plain.withUnsafeBufferPointer { w in
            scale.withUnsafeBufferPointer { s in
                bias.withUnsafeBufferPointer { b in
                    split.forEachPart(g.inChannels) { part, channels in
                        Kernels.depthwiseConvolution(
                            x, height: height, width: width, weights: w.baseAddress!, scale: s.baseAddress!,
                            bias: b.baseAddress!, activation: activation, geometry: g, channels: channels,
                            outHeight: outHeight, outWidth: outWidth, output: y,
                            scratch: scratch + part * perPart, instructionSet: instructionSet)
                    }
                }
            }
        }
    }

    /// The whole batch as one GEMM: the images' input planes (pointwise) or im2col columns side by
    /// side (`[depth, batch·pixels]`), multiplied, and each product row finished (scale, bias,
    /// activation) straight into its image's output plane. An image's numbers are those it gets alone
    /// up to rounding: OpenBLAS may pick another kernel for a wider matrix and sum in another order.
    private func convolveBatch(
        _ input: UnsafePointer<Float>, inputStride: Int, height: Int, width: Int,
        output: UnsafeMutablePointer<Float>, outputStride: Int, batch: Int,
        inputScale: UnsafePointer<Float>?, inputScaleStride: Int,
        residual: UnsafePointer<Float>?, residualStride: Int,
        scratch: UnsafeMutablePointer<Float>, productScratch: UnsafeMutablePointer<Float>, scratchColumns: Int,
        split: WorkSplit
    ) {
        let g = geometry, outWidth = g.outputWidth(width), pixels = g.outputHeight(height) * outWidth
        let window = g.kernelHeight * g.kernelWidth, depth = g.inChannels * window, columns = batch * pixels
        let unfolded = scratch, product = scratch + depth * columns
        // Cut by rows of the unfolded matrix, not by channels: a stem's three channels would split
        // 2 : 1 over two cores.
        split.forEachRange(depth, minimum: max(1, 16384 / columns)) { rows in
            for n in 0..<batch {
                let x = input + n * inputStride, into = unfolded + n * pixels
                if g.isPointwise {
                    // Each image has its own gate, so it is applied while the planes are gathered.
                    let factors = inputScale.map { $0 + n * inputScaleStride }
                    for c in rows {
                        let from = x + c * pixels, to = into + c * columns
                        if let factors {
                            let factor = factors[c]
                            for i in 0..<pixels { to[i] = from[i] * factor }
                        } else if let inputAffine {
                            let function: ActivationFunction = inputAffine.appliesReLU ? .relu : .identity
                            function.apply(from: from, to: to, count: pixels, scale: inputAffine.scale[c], bias: inputAffine.shift[c])
                        } else {
                            to.update(from: from, count: pixels)
                        }
                    }
                } else {
                    Kernels.im2col(
                        x, height: height, width: width, geometry: g, rows: rows,
                        outRows: 0..<g.outputHeight(height), outWidth: outWidth, into: into, rowStride: columns)
                }
            }
        }
        multiply(
            rowsOf: 0, n: columns, b: unfolded, ldb: columns, c: product, ldc: columns, finish: false,
            scratch: productScratch, scratchColumns: scratchColumns, split: split)
        split.forEachRange(g.outChannels, minimum: max(1, 16384 / columns)) { channels in
            for o in channels {
                for n in 0..<batch {
                    let y = output + n * outputStride + o * pixels, sums = product + o * columns + n * pixels
                    if let residual {
                        activation.apply(
                            from: sums, adding: residual + n * residualStride + o * pixels, to: y, count: pixels,
                            scale: scale[o], bias: bias[o])
                    } else {
                        activation.apply(from: sums, to: y, count: pixels, scale: scale[o], bias: bias[o])
                    }
                }
            }
        }
    }

    /// One image through im2col and a GEMM, group by group and band by band: the unfolding split
    /// over input channels, the product over output channels or pixels.
    private func convolveUnfolded(
        _ x: UnsafePointer<Float>, height: Int, width: Int, output y: UnsafeMutablePointer<Float>,
        residual: UnsafePointer<Float>? = nil, scratch: UnsafeMutablePointer<Float>, productScratch: UnsafeMutablePointer<Float>,
        scratchColumns: Int, split: WorkSplit
    ) {
        let g = geometry
        let outHeight = g.outputHeight(height), outWidth = g.outputWidth(width)
        let pixels = outHeight * outWidth
        let inPerGroup = g.inChannels / g.groups, outPerGroup = g.outChannels / g.groups
        let window = g.kernelHeight * g.kernelWidth
        let band = bandRows(height: height, width: width)
        for group in 0..<g.groups {
            for top in stride(from: 0, to: outHeight, by: band) {
                let rows = top..<min(top + band, outHeight), columns = rows.count * outWidth
                let source = x + group * inPerGroup * height * width
                split.forEachRange(inPerGroup * window, minimum: max(1, 16384 / columns)) { matrixRows in
                    Kernels.im2col(
                        source, height: height, width: width, geometry: g, rows: matrixRows, outRows: rows,
                        outWidth: outWidth, into: scratch)
                }
                let offset = group * outPerGroup * pixels + top * outWidth
                multiply(
                    rowsOf: group, n: columns, b: scratch, ldb: columns, c: y + offset, ldc: pixels, finish: true,
                    residual: residual.map { $0 + offset }, scratch: productScratch, scratchColumns: scratchColumns,
                    split: split)
            }
        }
    }
}
