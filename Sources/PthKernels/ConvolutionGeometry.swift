/// Everything about a 2-D convolution except its weights and the input size:
/// PyTorch's `Conv2d` arguments, with asymmetric padding allowed.
public struct ConvolutionGeometry: Sendable, Equatable {
    /// Input and output channels over all groups.
    public var inChannels: Int, outChannels: Int
    /// Kernel height and width.
    public var kernelHeight: Int, kernelWidth: Int
    /// Step between kernel applications, vertically and horizontally.
    public var strideHeight: Int, strideWidth: Int
    /// Zero padding on each side of the input.
    public var padTop: Int, padBottom: Int, padLeft: Int, padRight: Int
    /// Spacing between kernel taps, vertically and horizontally.
    public var dilationHeight: Int, dilationWidth: Int
    /// Channel groups (`inChannels` for a depthwise convolution).
    public var groups: Int

    /// A geometry with PyTorch's defaults (stride 1, no padding, dilation 1, one group) for every argument not given.
    public init(
        inChannels: Int, outChannels: Int, kernelHeight: Int, kernelWidth: Int,
        strideHeight: Int = 1, strideWidth: Int = 1,
        padTop: Int = 0, padBottom: Int = 0, padLeft: Int = 0, padRight: Int = 0,
        dilationHeight: Int = 1, dilationWidth: Int = 1, groups: Int = 1
    ) {
        self.inChannels = inChannels; self.outChannels = outChannels
        self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.strideHeight = strideHeight; self.strideWidth = strideWidth
        self.padTop = padTop; self.padBottom = padBottom; self.padLeft = padLeft; self.padRight = padRight
        self.dilationHeight = dilationHeight; self.dilationWidth = dilationWidth
        self.groups = groups
    }

    /// Output height for an input of height `h`.
    public func outputHeight(_ h: Int) -> Int {
        (h + padTop + padBottom - dilationHeight * (kernelHeight - 1) - 1) / strideHeight + 1
    }

    /// Output width for an input of width `w`.
    public func outputWidth(_ w: Int) -> Int {
        (w + padLeft + padRight - dilationWidth * (kernelWidth - 1) - 1) / strideWidth + 1
    }

    var isPointwise: Bool {
        kernelHeight == 1 && kernelWidth == 1 && strideHeight == 1 && strideWidth == 1
            && padTop == 0 && padBottom == 0 && padLeft == 0 && padRight == 0 && groups == 1
    }

    var isDepthwise: Bool { groups > 1 && groups == inChannels && groups == outChannels }
}
