/// Zero padding on each side of a feature map, in pixels. Asymmetric padding
/// (TensorFlow "same") is allowed.
public struct Padding2d: Sendable, Equatable, Hashable {
    /// Zero rows above, below, and zero columns left and right of the input.
    public var top: Int, bottom: Int, left: Int, right: Int

    /// Padding with each side given.
    public init(top: Int, bottom: Int, left: Int, right: Int) {
        self.top = top; self.bottom = bottom; self.left = left; self.right = right
    }

    /// PyTorch's symmetric `padding=(h, w)`.
    public init(_ height: Int, _ width: Int) {
        self.init(top: height, bottom: height, left: width, right: width)
    }

    /// No padding.
    public static let zero = Padding2d(0, 0)
}

/// A pair of sizes along (height, width): kernel size, stride or dilation.
public struct Size2d: Sendable, Equatable, Hashable {
    /// The vertical and the horizontal extent.
    public var height: Int, width: Int

    /// A size of `height` along the vertical axis and `width` along the horizontal one.
    public init(_ height: Int, _ width: Int) {
        self.height = height; self.width = width
    }

    /// The same size along both axes.
    public static func square(_ size: Int) -> Size2d { Size2d(size, size) }
}

/// An elementwise activation, either standalone or fused into the node that produces its input.
public enum Activation: String, Sendable, Equatable, Hashable {
    case identity, relu, relu6, silu, sigmoid, hardswish, hardsigmoid
}

/// `nn.Conv2d` with its frozen parameters; `activation` is applied after the bias
/// (set by the fusion pass, `.identity` as built).
public struct Conv2d: Sendable, Equatable {
    /// `[out, in / groups, kh, kw]`.
    public var weight: Constant
    /// `[out]`, or nil for `bias=False`.
    public var bias: Constant?
    /// `[out]` factors applied to each output channel's sum before the bias (a BatchNorm folded
    /// into the conv, see `FoldBatchNorm`), or nil for none: `y = outputScale·(weight ⋆ x) + bias`.
    public var outputScale: Constant?
    /// Step between kernel applications, PyTorch's `stride`.
    public var stride: Size2d
    /// Zero padding around the input, PyTorch's `padding`.
    public var padding: Padding2d
    /// Spacing between kernel taps, PyTorch's `dilation`.
    public var dilation: Size2d
    /// Channel groups, PyTorch's `groups` (`inChannels` for a depthwise convolution).
    public var groups: Int
    /// Applied to each output after the bias; `.identity` until the fusion pass sets it.
    public var activation: Activation
    /// Whether the node takes a second input, `[N, inChannels, 1, 1]` factors its input channels
    /// are multiplied by before the convolution (a squeeze-excitation gate moved into the 1×1 conv
    /// after it by `FuseChannelScale`); false as built.
    public var scalesInputChannels: Bool
    /// Whether the node takes one more input, last, a feature map the shape of its output that is
    /// added to each output before the activation: `y = activation(outputScale·(weight ⋆ x) + bias +
    /// residual)` (a residual connection's add moved into the conv before it by `FuseResidualAdd`);
    /// false as built.
    public var addsResidual: Bool
    /// A per-channel affine map and activation applied to the input before the convolution (a
    /// BatchNorm and ReLU moved into the 1×1 conv after them by `FuseInputAffine`), or nil: as built.
    public var inputAffine: InputAffine?

    /// `x' = activation(scale[c]·x + shift[c])` for input channel `c`, the activation the identity
    /// or ReLU: a `channelAffine` node's computation, done by the conv that reads it.
    public struct InputAffine: Sendable, Equatable {
        /// One factor per input channel.
        public var scale: [Float]
        /// One term per input channel.
        public var shift: [Float]
        /// `.identity` or `.relu`.
        public var activation: Activation

        /// The map `activation(scale[c]·x + shift[c])`.
        public init(scale: [Float], shift: [Float], activation: Activation) {
            self.scale = scale
            self.shift = shift
            self.activation = activation
        }
    }

    /// A convolution with PyTorch's defaults for every argument not given.
    public init(
        weight: Constant, bias: Constant?, outputScale: Constant? = nil, stride: Size2d = .square(1),
        padding: Padding2d = .zero, dilation: Size2d = .square(1), groups: Int = 1, activation: Activation = .identity,
        scalesInputChannels: Bool = false, addsResidual: Bool = false, inputAffine: InputAffine? = nil
    ) {
        self.weight = weight; self.bias = bias; self.outputScale = outputScale; self.stride = stride; self.padding = padding
        self.dilation = dilation; self.groups = groups; self.activation = activation
        self.scalesInputChannels = scalesInputChannels; self.addsResidual = addsResidual; self.inputAffine = inputAffine
    }

    /// Output channels: the weight's first dimension.
    public var outChannels: Int { weight.shape[0] }
    /// Input channels over all groups.
    public var inChannels: Int { weight.shape[1] * groups }
    /// Kernel height and width: the weight's last two dimensions.
    public var kernel: Size2d { Size2d(weight.shape[2], weight.shape[3]) }
    /// Whether each output pixel reads only the same input pixel: a 1×1 kernel, stride 1, no
    /// padding, one group (a matrix product over the channels).
    public var isPointwise: Bool {
        kernel == .square(1) && stride == .square(1) && padding == .zero && groups == 1
    }
}

/// `nn.BatchNorm2d` in eval mode: `(x - mean) / sqrt(var + eps) * weight + bias`.
public struct BatchNorm: Sendable, Equatable {
    /// `[C]` scale, PyTorch's `weight` (γ).
    public var weight: Constant
    /// `[C]` shift, PyTorch's `bias` (β).
    public var bias: Constant
    /// `[C]` running mean used in eval mode.
    public var runningMean: Constant
    /// `[C]` running (biased) variance used in eval mode.
    public var runningVar: Constant
    /// Added to the variance before the square root, PyTorch's `eps`.
    public var eps: Float

    /// A BatchNorm with the given parameters and statistics.
    public init(weight: Constant, bias: Constant, runningMean: Constant, runningVar: Constant, eps: Float) {
        self.weight = weight; self.bias = bias; self.runningMean = runningMean; self.runningVar = runningVar; self.eps = eps
    }
}

/// Max or average pooling window, with PyTorch's `ceil_mode` and `count_include_pad`.
public struct Pool2d: Sendable, Equatable, Hashable {
    /// Window height and width.
    public var kernel: Size2d
    /// Step between windows (PyTorch defaults it to the kernel size).
    public var stride: Size2d
    /// Implicit padding: negative infinity for max pooling, zeros for average pooling.
    public var padding: Padding2d
    /// Whether the output size rounds up, PyTorch's `ceil_mode`.
    public var ceilMode: Bool
    /// Average pooling only: whether padded zeros count in the divisor (PyTorch's default true).
    public var countIncludePad: Bool

    /// A pooling window with PyTorch's defaults for every argument not given.
    public init(kernel: Size2d, stride: Size2d, padding: Padding2d = .zero, ceilMode: Bool = false, countIncludePad: Bool = true) {
        self.kernel = kernel; self.stride = stride; self.padding = padding
        self.ceilMode = ceilMode; self.countIncludePad = countIncludePad
    }
}

/// `nn.Linear`: `y = x Wᵀ + b`; `activation` as in `Conv2d`.
public struct Linear: Sendable, Equatable {
    /// `[out, in]`.
    public var weight: Constant
    /// `[out]`, or nil.
    public var bias: Constant?
    /// Applied to each output after the bias; `.identity` until the fusion pass sets it.
    public var activation: Activation

    /// A linear layer, `bias` nil for `bias=False`.
    public init(weight: Constant, bias: Constant?, activation: Activation = .identity) {
        self.weight = weight; self.bias = bias; self.activation = activation
    }
}
