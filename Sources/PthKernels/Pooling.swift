/// Shape of a batch of feature maps as the pooling and elementwise kernels see it: image `n`
/// starts at `n·stride` floats and holds `channels` contiguous planes of `height × width`.
public struct PlaneLayout: Sendable, Equatable {
    public var channels: Int, height: Int, width: Int
    /// Floats between consecutive images (≥ channels·height·width when the image is a slice).
    public var stride: Int

    public init(channels: Int, height: Int, width: Int, stride: Int) {
        self.channels = channels; self.height = height; self.width = width; self.stride = stride
    }

    public var plane: Int { height * width }
    public var count: Int { channels * height * width }
}

extension Kernels {
    /// Calls `body` with each (image, channel) plane of `input` and the matching plane of `output`.
    @inline(__always)
    static func forEachPlane(_ input: UnsafePointer<Float>, _ source: PlaneLayout,
                             _ output: UnsafeMutablePointer<Float>, _ target: PlaneLayout, batch: Int,
                             _ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) {
        for n in 0..<batch {
            for c in 0..<source.channels {
                body(input + n * source.stride + c * source.plane, output + n * target.stride + c * target.plane)
            }
        }
    }

    /// Max pooling; padding never wins (PyTorch pads with −∞). Output size is the caller's
    /// (ceil mode only changes how many windows there are).
    public static func maxPool(_ input: UnsafePointer<Float>, _ source: PlaneLayout,
                               _ output: UnsafeMutablePointer<Float>, _ target: PlaneLayout,
                               batch: Int, window p: PoolingWindow) {
        forEachPlane(input, source, output, target, batch: batch) { plane, out in
            for oh in 0..<target.height {
                let h0 = oh * p.strideHeight - p.padTop
                let hs = max(h0, 0), he = min(h0 + p.kernelHeight, source.height)
                for ow in 0..<target.width {
                    let w0 = ow * p.strideWidth - p.padLeft
                    let ws = max(w0, 0), we = min(w0 + p.kernelWidth, source.width)
                    var best = -Float.infinity
                    for h in hs..<max(hs, he) {
                        let row = plane + h * source.width
                        for w in ws..<max(ws, we) where row[w] > best || row[w].isNaN { best = row[w] }
                    }
                    out[oh * target.width + ow] = best
                }
            }
        }
    }

    /// Average pooling with PyTorch's divisor: the window clipped to the padded input when
    /// `countIncludePad` (so a ceil-mode window hanging past the padding counts less), or clipped
    /// to the input otherwise.
    public static func avgPool(_ input: UnsafePointer<Float>, _ source: PlaneLayout,
                               _ output: UnsafeMutablePointer<Float>, _ target: PlaneLayout,
                               batch: Int, window p: PoolingWindow) {
        forEachPlane(input, source, output, target, batch: batch) { plane, out in
            for oh in 0..<target.height {
                let h0 = oh * p.strideHeight - p.padTop
                let h1 = min(h0 + p.kernelHeight, source.height + p.padBottom)
                let hs = max(h0, 0), he = min(h1, source.height)
                for ow in 0..<target.width {
                    let w0 = ow * p.strideWidth - p.padLeft
                    let w1 = min(w0 + p.kernelWidth, source.width + p.padRight)
                    let ws = max(w0, 0), we = min(w1, source.width)
                    var sum: Float = 0
                    for h in hs..<max(hs, he) {
                        let row = plane + h * source.width
                        for w in ws..<max(ws, we) { sum += row[w] }
                    }
                    let divisor = p.countIncludePad ? (h1 - h0) * (w1 - w0) : (he - hs) * (we - ws)
                    out[oh * target.width + ow] = sum / Float(divisor)
                }
            }
        }
    }

    /// `AdaptiveAvgPool2d`: output cell i averages input rows ⌊i·in/out⌋ ..< ⌈(i+1)·in/out⌉ (same for columns).
    public static func adaptiveAvgPool(_ input: UnsafePointer<Float>, _ source: PlaneLayout,
                                       _ output: UnsafeMutablePointer<Float>, _ target: PlaneLayout, batch: Int) {
        forEachPlane(input, source, output, target, batch: batch) { plane, out in
            for oh in 0..<target.height {
                let hs = oh * source.height / target.height
                let he = ((oh + 1) * source.height + target.height - 1) / target.height
                for ow in 0..<target.width {
                    let ws = ow * source.width / target.width
                    let we = ((ow + 1) * source.width + target.width - 1) / target.width
                    var sum: Float = 0
                    for h in hs..<he {
                        let row = plane + h * source.width
                        for w in ws..<we { sum += row[w] }
                    }
                    out[oh * target.width + ow] = sum / Float((he - hs) * (we - ws))
                }
            }
        }
    }
}
