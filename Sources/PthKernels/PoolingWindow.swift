/// A max/avg pooling window as PyTorch's `MaxPool2d`/`AvgPool2d` take it, padding possibly asymmetric.
public struct PoolingWindow: Sendable, Equatable {
    /// Window height and width.
    public var kernelHeight: Int, kernelWidth: Int
    /// Step between windows, vertically and horizontally.
    public var strideHeight: Int, strideWidth: Int
    /// Implicit padding on each side (negative infinity for max, zeros for average pooling).
    public var padTop: Int, padBottom: Int, padLeft: Int, padRight: Int
    /// Average pooling: whether padded positions count in the divisor.
    public var countIncludePad: Bool

    /// A window with no padding unless given, and PyTorch's `count_include_pad=True` default.
    public init(
        kernelHeight: Int, kernelWidth: Int, strideHeight: Int, strideWidth: Int,
        padTop: Int = 0, padBottom: Int = 0, padLeft: Int = 0, padRight: Int = 0, countIncludePad: Bool = true
    ) {
        self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.strideHeight = strideHeight; self.strideWidth = strideWidth
        self.padTop = padTop; self.padBottom = padBottom; self.padLeft = padLeft; self.padRight = padRight
        self.countIncludePad = countIncludePad
    }
}
