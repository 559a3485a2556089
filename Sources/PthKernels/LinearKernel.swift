/// `nn.Linear` over a batch: a matrix-vector product per row against the `[out, in]` weights, then bias and activation.
public final class LinearKernel: Sendable {
    /// Input and output features: the weight matrix is `[outFeatures, inFeatures]`.
    public let inFeatures: Int, outFeatures: Int
    /// Applied to each output after the bias.
    public let activation: ActivationFunction
    private let weights: KernelWeights
    private let bias: [Float]

    /// A kernel over weights in its own array.
    public convenience init(inFeatures: Int, outFeatures: Int, weights: [Float], bias: [Float]?, activation: ActivationFunction) {
        self.init(inFeatures: inFeatures, outFeatures: outFeatures, weights: KernelWeights(weights), bias: bias, activation: activation)
    }

    /// `weights` is `[out, in]`, PyTorch's layout; the kernel keeps them in an array of its own (copied
    /// when borrowed), so that it reads no memory it was lent.
    public init(inFeatures: Int, outFeatures: Int, weights: KernelWeights, bias: [Float]?, activation: ActivationFunction) {
        precondition(weights.count == inFeatures * outFeatures, "linear weights do not match [\(outFeatures), \(inFeatures)]")
        self.inFeatures = inFeatures; self.outFeatures = outFeatures
        self.weights = weights.owned()
        self.bias = bias ?? [Float](repeating: 0, count: outFeatures)
        self.activation = activation
    }

    /// Row `n` of the input is read at `input + n·inputStride`, written at `output + n·outputStride`.
    /// Each row is its own matrix-vector product (OpenBLAS's sgemm would repack the whole weight
    /// matrix — 8 MB for a ResNet head — on every call), so a row's result does not depend on the
    /// batch it came in; `split` cuts each product over cores by output features.
    public func run(
        input: UnsafePointer<Float>, inputStride: Int, output: UnsafeMutablePointer<Float>, outputStride: Int,
        batch: Int, split: WorkSplit = .serial
    ) {
        weights.withUnsafeBufferPointer { w in
            let w = w.baseAddress!
            for n in 0..<batch {
                let row = output + n * outputStride
                // Below ~64K weights per part a matrix-vector product is not worth a thread hop.
                split.forEachRange(outFeatures, alignment: 16, minimum: max(1, 65536 / inFeatures)) { features in
                    Kernels.gemm(
                        m: features.count, n: 1, k: inFeatures, a: w + features.lowerBound * inFeatures, lda: inFeatures,
                        b: input + n * inputStride, ldb: 1, c: row + features.lowerBound, ldc: 1)
                    for o in features { row[o] += bias[o] }
                    activation.apply(row + features.lowerBound, count: features.count)
                }
            }
        }
    }
}
