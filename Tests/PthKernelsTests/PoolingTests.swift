import XCTest

@testable import PthKernels

/// Max pooling's NaN rule on every path (eight-lane stride 1 and 2, the per-output loop for other
/// strides, and the tails): a window holding a NaN yields NaN, as PyTorch's `max_pool2d` does,
/// whichever lane or row the NaN falls in. Values are the fixtures' business (FixtureParityTests).
final class PoolingTests: XCTestCase {
    func testMaxPoolPropagatesNaNFromAnyWindowCell() {
        let height = 7, width = 37
        for (kernel, stride, pad) in [(3, 1, 1), (3, 2, 0), (3, 2, 1), (2, 2, 0), (3, 3, 1)] {
            let window = PoolingWindow(
                kernelHeight: kernel, kernelWidth: kernel, strideHeight: stride, strideWidth: stride,
                padTop: pad, padBottom: pad, padLeft: pad, padRight: pad)
            let outHeight = (height + 2 * pad - kernel) / stride + 1, outWidth = (width + 2 * pad - kernel) / stride + 1
            for nanAt in [(0, 0), (3, 17), (6, 36), (2, 8), (5, 31)] {
                var input = pseudoRandom(count: height * width, seed: 3)
                input[nanAt.0 * width + nanAt.1] = .nan
                var output = [Float](repeating: 0, count: outHeight * outWidth)
                input.withUnsafeBufferPointer { x in
                    output.withUnsafeMutableBufferPointer { y in
                        Kernels.maxPool(
                            x.baseAddress!, PlaneLayout(channels: 1, height: height, width: width, stride: height * width),
                            y.baseAddress!, PlaneLayout(channels: 1, height: outHeight, width: outWidth, stride: outHeight * outWidth),
                            batch: 1, window: window)
                    }
                }
                for oh in 0..<outHeight {
                    for ow in 0..<outWidth {
                        let rows = oh * stride - pad..<oh * stride - pad + kernel, columns = ow * stride - pad..<ow * stride - pad + kernel
                        let covered = rows.contains(nanAt.0) && columns.contains(nanAt.1)
                        XCTAssertEqual(
                            output[oh * outWidth + ow].isNaN, covered,
                            "k\(kernel) s\(stride) p\(pad), NaN at \(nanAt): output (\(oh), \(ow))")
                    }
                }
            }
        }
    }
}
