/// What a graph node computes. Feature maps are NCHW with the batch size chosen at run time.
public enum Op: Sendable, Equatable {
    /// The network input, `[N, channels, H, W]`.
    case input(channels: Int)
    case conv2d(Conv2d)
    case batchNorm(BatchNorm)
    case activation(Activation)
    /// Elementwise sum of two same-shaped inputs, then the activation (ResNet's residual add + ReLU).
    case add(Activation)
    /// Elementwise product; the second input may be `[N, C, 1, 1]`, broadcast over H and W (SE scaling).
    case mul
    /// Concatenation of all inputs along channels.
    case concat
    case maxPool(Pool2d)
    case avgPool(Pool2d)
    /// `nn.AdaptiveAvgPool2d((height, width))` with PyTorch's start/end index rule.
    case adaptiveAvgPool(Size2d)
    case linear(Linear)
    /// `torch.flatten(x, 1)`: `[N, C, H, W]` → `[N, C·H·W]`.
    case flatten
    /// Constant zero padding (`F.pad` / `nn.ZeroPad2d`).
    case pad(Padding2d)
    /// Per-channel `x * scale[c] + shift[c]` (Inception's `transform_input`, or an unfolded BatchNorm),
    /// then the activation (DenseNet's BatchNorm + ReLU before each conv).
    case channelAffine(scale: [Float], shift: [Float], activation: Activation)
    /// Dropout or stochastic depth: identity in eval mode, removed by the freezing passes.
    case dropout
}
