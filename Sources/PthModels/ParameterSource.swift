import PthCheckpoint
import PthGraph

/// Where an architecture builder gets its weights: a checkpoint's state dict (validated), or
/// synthetic values for benchmarking without a checkpoint.
///
/// Builders ask for every tensor by its torchvision key and the shape the architecture expects.
protocol ParameterSource {
    /// The tensor `key`, which must have exactly `shape`, as Float32.
    mutating func constant(_ key: String, shape: [Int]) throws -> Constant
    /// The leading dimension of `key` (a classifier's class count), whose remaining dimensions must
    /// be `trailing`; checkpoints fine-tuned on other label sets differ only there.
    func leadingDimension(of key: String, trailing: [Int]) throws -> Int
    /// Image channels the stem convolution `key` (a `[out, in, kh, kw]` weight) takes: fine-tuned copies
    /// of RGB networks may take grayscale (1) or other channel counts. `channels` where the source has no say.
    func inputChannels(ofStem key: String, default channels: Int) throws -> Int
    /// Called once the whole architecture is built: throws if the source holds parameters it never used.
    func finish() throws
}
