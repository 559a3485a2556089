/// Elementwise kernels over batches whose images may be slices of larger buffers: image `n` of a
/// value with `count` floats per image lives at `base + n·stride`.
extension Kernels {
    /// Copies `count` floats per image (concat inputs that could not be placed in their slice, the network input).
    public static func copy(
        _ input: UnsafePointer<Float>, stride inputStride: Int,
        to output: UnsafeMutablePointer<Float>, stride outputStride: Int, batch: Int, count: Int
    ) {
        for n in 0..<batch {
            (output + n * outputStride).update(from: input + n * inputStride, count: count)
        }
    }

    /// `output = f(input)`.
    public static func activation(
        _ function: ActivationFunction, _ input: UnsafePointer<Float>, stride inputStride: Int,
        to output: UnsafeMutablePointer<Float>, stride outputStride: Int, batch: Int, count: Int
    ) {
        for n in 0..<batch { function.apply(from: input + n * inputStride, to: output + n * outputStride, count: count) }
    }

    /// `output = a + b`, then `function` (ResNet's residual add followed by ReLU is one pass).
    public static func add(
        _ a: UnsafePointer<Float>, stride aStride: Int, _ b: UnsafePointer<Float>, stride bStride: Int,
        to output: UnsafeMutablePointer<Float>, stride outputStride: Int, batch: Int, count: Int,
        then function: ActivationFunction = .identity
    ) {
        for n in 0..<batch {
            let x = a + n * aStride, y = b + n * bStride, z = output + n * outputStride
            for i in 0..<count { z[i] = x[i] + y[i] }
            function.apply(z, count: count)
        }
    }

    /// `output = a * b` elementwise.
    public static func multiply(
        _ a: UnsafePointer<Float>, stride aStride: Int, _ b: UnsafePointer<Float>, stride bStride: Int,
        to output: UnsafeMutablePointer<Float>, stride outputStride: Int, batch: Int, count: Int
    ) {
        for n in 0..<batch {
            let x = a + n * aStride, y = b + n * bStride, z = output + n * outputStride
            for i in 0..<count { z[i] = x[i] * y[i] }
        }
    }

    /// `output[n, c] = a[n, c] * scales[n, c]` with one scale per channel plane (squeeze-excitation).
    public static func scaleChannels(
        _ a: UnsafePointer<Float>, _ layout: PlaneLayout, by scales: UnsafePointer<Float>, stride scaleStride: Int,
        to output: UnsafeMutablePointer<Float>, stride outputStride: Int, batch: Int
    ) {
        let plane = layout.plane
        for n in 0..<batch {
            for c in 0..<layout.channels {
                let s = scales[n * scaleStride + c]
                let x = a + n * layout.stride + c * plane, z = output + n * outputStride + c * plane
                for i in 0..<plane { z[i] = x[i] * s }
            }
        }
    }

    /// `output[n, c] = function(input[n, c] * scale[c] + shift[c])` (an unfolded BatchNorm and the ReLU after it,
    /// Inception's input transform).
    public static func channelAffine(
        _ input: UnsafePointer<Float>, _ layout: PlaneLayout, scale: UnsafePointer<Float>,
        shift: UnsafePointer<Float>, then function: ActivationFunction = .identity,
        to output: UnsafeMutablePointer<Float>, stride outputStride: Int, batch: Int
    ) {
        let plane = layout.plane
        for n in 0..<batch {
            for c in 0..<layout.channels {
                let x = input + n * layout.stride + c * plane, z = output + n * outputStride + c * plane
                // One pass from input to output (or in place when they are the same buffer).
                function.apply(from: x, to: z, count: plane, scale: scale[c], bias: shift[c])
            }
        }
    }

    /// Zero padding: `target` is `source` grown by `top`/`left` (and whatever remains at the bottom/right).
    public static func pad(
        _ input: UnsafePointer<Float>, _ source: PlaneLayout,
        to output: UnsafeMutablePointer<Float>, _ target: PlaneLayout, batch: Int, top: Int, left: Int
    ) {
        for n in 0..<batch {
            let z = output + n * target.stride
            z.update(repeating: 0, count: target.count)
            for c in 0..<source.channels {
                for h in 0..<source.height {
                    (z + c * target.plane + (h + top) * target.width + left)
                        .update(from: input + n * source.stride + c * source.plane + h * source.width, count: source.width)
                }
            }
        }
    }
}
