/// `nn.Linear` over a batch: one GEMM against the `[out, in]` weights, then bias and activation.
public final class LinearKernel: @unchecked Sendable {
    public let inFeatures: Int, outFeatures: Int
    public let activation: ActivationFunction
    private let weights: KernelWeights
    private let bias: [Float]

    /// A kernel over weights in its own array.
    public convenience init(inFeatures: Int, outFeatures: Int, weights: [Float], bias: [Float]?, activation: ActivationFunction) {
        self.init(inFeatures: inFeatures, outFeatures: outFeatures, weights: KernelWeights(weights), bias: bias, activation: activation)
    }

    /// `weights` is `[out, in]`, PyTorch's layout.
    public init(inFeatures: Int, outFeatures: Int, weights: KernelWeights, bias: [Float]?, activation: ActivationFunction) {
        precondition(weights.count == inFeatures * outFeatures, "linear weights do not match [\(outFeatures), \(inFeatures)]")
        self.inFeatures = inFeatures; self.outFeatures = outFeatures
        self.weights = weights
        self.bias = bias ?? [Float](repeating: 0, count: outFeatures)
        self.activation = activation
    }

    /// Row `n` of the input is read at `input + n·inputStride`, written at `output + n·outputStride`.
    /// `split` cuts the product over cores (by output features for a small batch).
    public func run(input: UnsafePointer<Float>, inputStride: Int, output: UnsafeMutablePointer<Float>, outputStride: Int,
                    batch: Int, split: WorkSplit = .serial) {
        weights.withUnsafeBufferPointer { w in
            Kernels.gemm(m: batch, n: outFeatures, k: inFeatures, a: input, lda: inputStride,
                         b: w.baseAddress!, ldb: inFeatures, transposeB: true, c: output, ldc: outputStride, split: split)
        }
        for n in 0..<batch {
            let row = output + n * outputStride
            for o in 0..<outFeatures { row[o] += bias[o] }
            activation.apply(row, count: outFeatures)
        }
    }
}
