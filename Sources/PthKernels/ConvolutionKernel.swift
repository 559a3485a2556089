/// A convolution with its weights prepared once, run over batches of NCHW images.
///
/// Paths: 1×1 stride-1 unpadded convs are one GEMM straight on the input; depthwise convs run a
/// direct vectorised loop with bias and activation fused; stride-1 3×3 convs on large enough maps
/// run Winograd F(4×4, 3×3) over the whole batch; everything else unfolds each group with `im2col`
/// and multiplies with OpenBLAS. A batch of small maps may run its pointwise or unfolded conv as
/// one GEMM over all its images (`runsAsOneGEMM`). Outside the fused paths, bias and activation are
/// applied per output plane right after it is computed.
///
/// Not thread-safe: the Winograd weights are transformed on the first run that needs them.
public final class ConvolutionKernel: @unchecked Sendable {
    public let geometry: ConvolutionGeometry
    public let activation: ActivationFunction
    /// `[out, in / groups · kh · kw]`, PyTorch's layout, which is the GEMM's A matrix as is.
    private let weights: KernelWeights
    /// Per output channel: `y = scale·(w ⋆ x) + bias` (scale from a folded BatchNorm, else 1).
    private let scale: [Float]
    private let bias: [Float]
    /// Built on first use: only maps big enough for Winograd to pay need the (4× larger) transformed weights.
    private var winograd: WinogradConvolution?

    /// Output planes at least this big go through Winograd: below it the 36 GEMMs get too few
    /// columns to run well and the transformed weights cost more memory than the time they save.
    static let winogradMinimumPixels = 400

    /// Smaller planes still go through Winograd when the transformed weights (36·out·in floats,
    /// repacked by OpenBLAS on every call) are at most this many times the transformed input
    /// (36·in·tiles): DenseNet's 128 → 32 convs on 14×14 and 7×7 maps (time −36% and −41% measured),
    /// not ResNet's 256 → 256 on 14×14 (no faster) nor Inception's 448 → 384 on 8×8 (60% slower).
    static let winogradWeightsPerInput = 8

    /// Most floats an im2col matrix may take: larger ones (a stem conv over a big image) are
    /// unfolded and multiplied a band of output rows at a time, which bounds the scratch memory
    /// while each band still gives the GEMM thousands of columns.
    static let im2colBudget = 1 << 20

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
    public init(geometry: ConvolutionGeometry, weights: KernelWeights, scale: [Float]? = nil, bias: [Float]?,
                activation: ActivationFunction) {
        precondition(weights.count == geometry.outChannels * geometry.inChannels / geometry.groups
                     * geometry.kernelHeight * geometry.kernelWidth, "conv weights do not match \(geometry)")
        precondition(scale.map { $0.count == geometry.outChannels } ?? true, "conv scale does not match \(geometry)")
        self.geometry = geometry
        self.weights = weights
        self.scale = scale ?? [Float](repeating: 1, count: geometry.outChannels)
        self.bias = bias ?? [Float](repeating: 0, count: geometry.outChannels)
        self.activation = activation
    }

    /// A kernel over weights in its own array.
    public convenience init(geometry: ConvolutionGeometry, weights: [Float], scale: [Float]? = nil, bias: [Float]?,
                            activation: ActivationFunction) {
        self.init(geometry: geometry, weights: KernelWeights(weights), scale: scale, bias: bias, activation: activation)
    }

    /// Whether a `height × width` input takes the Winograd path (decided per image: the algorithm an
    /// image's convs use does not depend on the batch it comes in).
    public func usesWinograd(height: Int, width: Int) -> Bool {
        let g = geometry
        let outHeight = g.outputHeight(height), outWidth = g.outputWidth(width)
        let tiles = (outHeight + 3) / 4 * ((outWidth + 3) / 4)
        return WinogradConvolution.supports(g) && g.inChannels >= 8 && g.outChannels >= 8
            && (outHeight * outWidth >= Self.winogradMinimumPixels || g.outChannels <= Self.winogradWeightsPerInput * tiles)
    }

    private func winogradKernel(split: WorkSplit = .serial) -> WinogradConvolution {
        if let winograd { return winograd }
        let kernel = weights.withUnsafeBufferPointer { w in
            WinogradConvolution(weights: w.baseAddress!, scale: scale, bias: bias, geometry: geometry, split: split)
        }
        winograd = kernel
        return kernel
    }

    /// Floats of scratch `run` needs for `batch` images of `height × width` cut as `split` cuts them.
    public func scratchCount(batch: Int, height: Int, width: Int, split: WorkSplit = .serial) -> Int {
        let g = geometry
        if usesWinograd(height: height, width: width) {
            return winogradKernel(split: split).scratchCount(batch: batch, height: height, width: width)
        }
        if runsAsOneGEMM(batch: batch, height: height, width: width) {
            return (g.inChannels * g.kernelHeight * g.kernelWidth + g.outChannels) * batch * g.outputHeight(height) * g.outputWidth(width)
        }
        if g.isPointwise { return 0 }
        if g.isDepthwise { return split.threads * Kernels.depthwiseScratchCount(height: height, width: width, geometry: g) }
        return g.inChannels / g.groups * g.kernelHeight * g.kernelWidth * bandRows(height: height, width: width) * g.outputWidth(width)
    }

    /// Convolves `batch` images. Image `n` is read at `input + n·inputStride` (`inChannels` planes
    /// of `height × width`) and written at `output + n·outputStride`, so either side may be a
    /// channel slice of a larger buffer. `split` spreads each image's work over cores: output
    /// channels or pixels of the GEMMs, Winograd tiles and positions, depthwise channels.
    public func run(input: UnsafePointer<Float>, inputStride: Int, height: Int, width: Int,
                    output: UnsafeMutablePointer<Float>, outputStride: Int, batch: Int,
                    scratch: UnsafeMutablePointer<Float>, split: WorkSplit = .serial) {
        let g = geometry
        let outHeight = g.outputHeight(height), outWidth = g.outputWidth(width)
        let pixels = outHeight * outWidth
        if usesWinograd(height: height, width: width) {
            winogradKernel(split: split).run(input: input, inputStride: inputStride, height: height, width: width,
                                 output: output, outputStride: outputStride, batch: batch, activation: activation,
                                 scratch: scratch, split: split)
            return
        }
        weights.withUnsafeBufferPointer { w in
            bias.withUnsafeBufferPointer { b in scale.withUnsafeBufferPointer { s in
                let w = w.baseAddress!, b = b.baseAddress!, s = s.baseAddress!
                if runsAsOneGEMM(batch: batch, height: height, width: width) {
                    convolveBatch(input, inputStride: inputStride, height: height, width: width, weights: w, scale: s, bias: b,
                                  output: output, outputStride: outputStride, batch: batch, scratch: scratch, split: split)
                    return
                }
                for n in 0..<batch {
                    let x = input + n * inputStride
                    let y = output + n * outputStride
                    if g.isDepthwise {
                        let perPart = Kernels.depthwiseScratchCount(height: height, width: width, geometry: g)
                        split.forEachPart(g.inChannels) { part, channels in
                            Kernels.depthwiseConvolution(x, height: height, width: width, weights: w, scale: s, bias: b,
                                                         activation: activation, geometry: g, channels: channels,
                                                         outHeight: outHeight, outWidth: outWidth, output: y,
                                                         scratch: scratch + part * perPart)
                        }
                        continue
                    }
                    if g.isPointwise {
                        Kernels.gemm(m: g.outChannels, n: pixels, k: g.inChannels, a: w, lda: g.inChannels,
                                     b: x, ldb: pixels, c: y, ldc: pixels, split: split)
                    } else {
                        convolveUnfolded(x, height: height, width: width, weights: w, output: y, scratch: scratch, split: split)
                    }
                    split.forEachRange(g.outChannels, minimum: max(1, 4096 / pixels)) { channels in
                        for o in channels { activation.apply(y + o * pixels, count: pixels, scale: s[o], bias: b[o]) }
                    }
                }
            } }
        }
    }

    /// The whole batch as one GEMM: the images' input planes (pointwise) or im2col columns side by
    /// side (`[depth, batch·pixels]`), multiplied, and each product row finished (scale, bias,
    /// activation) straight into its image's output plane. An image's numbers are those it gets alone
    /// up to rounding: OpenBLAS may pick another kernel for a wider matrix and sum in another order.
    private func convolveBatch(_ input: UnsafePointer<Float>, inputStride: Int, height: Int, width: Int,
                               weights w: UnsafePointer<Float>, scale s: UnsafePointer<Float>, bias b: UnsafePointer<Float>,
                               output: UnsafeMutablePointer<Float>, outputStride: Int, batch: Int,
                               scratch: UnsafeMutablePointer<Float>, split: WorkSplit) {
        let g = geometry, outWidth = g.outputWidth(width), pixels = g.outputHeight(height) * outWidth
        let window = g.kernelHeight * g.kernelWidth, depth = g.inChannels * window, columns = batch * pixels
        let unfolded = scratch, product = scratch + depth * columns
        split.forEachRange(g.inChannels, minimum: max(1, 16384 / (window * columns))) { channels in
            for n in 0..<batch {
                let x = input + n * inputStride + channels.lowerBound * height * width
                let into = unfolded + channels.lowerBound * window * columns + n * pixels
                if g.isPointwise {
                    for c in 0..<channels.count { (into + c * columns).update(from: x + c * pixels, count: pixels) }
                } else {
                    Kernels.im2col(x, channels: channels.count, height: height, width: width, geometry: g,
                                   outRows: 0..<g.outputHeight(height), outWidth: outWidth, into: into, rowStride: columns)
                }
            }
        }
        Kernels.gemm(m: g.outChannels, n: columns, k: depth, a: w, lda: depth,
                     b: unfolded, ldb: columns, c: product, ldc: columns, split: split)
        split.forEachRange(g.outChannels, minimum: max(1, 16384 / columns)) { channels in
            for o in channels {
                for n in 0..<batch {
                    activation.apply(from: product + o * columns + n * pixels, to: output + n * outputStride + o * pixels,
                                     count: pixels, scale: s[o], bias: b[o])
                }
            }
        }
    }

    /// One image through im2col and OpenBLAS, group by group and band by band: the unfolding split
    /// over input channels, the product over output channels or pixels.
    private func convolveUnfolded(_ x: UnsafePointer<Float>, height: Int, width: Int, weights w: UnsafePointer<Float>,
                                  output y: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
                                  split: WorkSplit) {
        let g = geometry
        let outHeight = g.outputHeight(height), outWidth = g.outputWidth(width)
        let pixels = outHeight * outWidth
        let inPerGroup = g.inChannels / g.groups, outPerGroup = g.outChannels / g.groups
        let window = g.kernelHeight * g.kernelWidth, depth = inPerGroup * window
        let band = bandRows(height: height, width: width)
        for group in 0..<g.groups {
            for top in stride(from: 0, to: outHeight, by: band) {
                let rows = top..<min(top + band, outHeight), columns = rows.count * outWidth
                let source = x + group * inPerGroup * height * width
                split.forEachRange(inPerGroup, minimum: max(1, 16384 / (window * columns))) { channels in
                    Kernels.im2col(source + channels.lowerBound * height * width, channels: channels.count,
                                   height: height, width: width, geometry: g, outRows: rows, outWidth: outWidth,
                                   into: scratch + channels.lowerBound * window * columns)
                }
                Kernels.gemm(m: outPerGroup, n: columns, k: depth, a: w + group * outPerGroup * depth, lda: depth,
                             b: scratch, ldb: columns, c: y + group * outPerGroup * pixels + top * outWidth, ldc: pixels,
                             split: split)
            }
        }
    }
}
