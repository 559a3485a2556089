import XCTest

@testable import PthKernels

/// Pooling on every path (eight-lane stride 1 and 2 with a row's last vector overlapping the one
/// before it, the per-output loop for rows under 8 and other strides): the values of every window
/// against a direct loop, and max pooling's NaN rule (a window holding a NaN yields NaN, as
/// PyTorch's `max_pool2d` does, whichever lane or row the NaN falls in). PyTorch's own values for the
/// layers torchvision uses are the fixtures' business (FixtureParityTests).
final class PoolingTests: XCTestCase {
    func testMatchesDirectWindowsAtEveryRowWidth() {
        let height = 6
        for width in [5, 8, 9, 16, 17, 23, 35] {
            for (kernel, stride, pad) in [(3, 1, 1), (3, 2, 1), (2, 2, 0), (3, 3, 1), (5, 1, 2)] where width + 2 * pad >= kernel {
                for countIncludePad in [true, false] {
                    let window = PoolingWindow(
                        kernelHeight: kernel, kernelWidth: kernel, strideHeight: stride, strideWidth: stride,
                        padTop: pad, padBottom: pad, padLeft: pad, padRight: pad, countIncludePad: countIncludePad)
                    let outHeight = (height + 2 * pad - kernel) / stride + 1, outWidth = (width + 2 * pad - kernel) / stride + 1
                    // Two planes, so a vector read past one plane's last row would read the next one's.
                    let input = pseudoRandom(count: 2 * height * width, seed: 5)
                    let source = PlaneLayout(channels: 2, height: height, width: width, stride: 2 * height * width)
                    let target = PlaneLayout(channels: 2, height: outHeight, width: outWidth, stride: 2 * outHeight * outWidth)
                    var maximum = [Float](repeating: .nan, count: target.count), average = maximum
                    input.withUnsafeBufferPointer { x in
                        maximum.withUnsafeMutableBufferPointer {
                            Kernels.maxPool(x.baseAddress!, source, $0.baseAddress!, target, batch: 1, window: window)
                        }
                        average.withUnsafeMutableBufferPointer {
                            Kernels.avgPool(x.baseAddress!, source, $0.baseAddress!, target, batch: 1, window: window)
                        }
                    }
                    let context = "\(height)×\(width) k\(kernel) s\(stride) p\(pad) countIncludePad \(countIncludePad)"
                    for c in 0..<2 {
                        for oh in 0..<outHeight {
                            for ow in 0..<outWidth {
                                let rows = max(oh * stride - pad, 0)..<min(oh * stride - pad + kernel, height)
                                let columns = max(ow * stride - pad, 0)..<min(ow * stride - pad + kernel, width)
                                let values = rows.flatMap { h in columns.map { w in input[(c * height + h) * width + w] } }
                                let divisor = countIncludePad ? kernel * kernel : values.count
                                let expected = values.reduce(0.0) { $0 + Double($1) } / Double(divisor)
                                let at = (c * outHeight + oh) * outWidth + ow
                                XCTAssertEqual(maximum[at], values.max()!, "max \(context) at \(c), \(oh), \(ow)")
                                XCTAssertEqual(Double(average[at]), expected, accuracy: 1e-6, "avg \(context) at \(c), \(oh), \(ow)")
                            }
                        }
                    }
                }
            }
        }
    }

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
