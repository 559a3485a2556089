import PthKernels

/// The float64 reference convolution the kernels' tests compare against: `[N, out, H', W']`, straight from
/// the definition of `torch.nn.functional.conv2d` (groups, stride, dilation, padding), each output summed
/// in Double, images read at `n·inputStride` and written at `n·outputStride` (the gaps left as zeros).
/// It is the formula evaluated here, not numbers PyTorch computed.
public func float64ReferenceConvolution(
    _ input: [Float], inputStride: Int, height: Int, width: Int, batch: Int, weights: [Float], bias: [Float],
    geometry g: ConvolutionGeometry, outputStride: Int
) -> [Float] {
    let outH = g.outputHeight(height), outW = g.outputWidth(width)
    let perGroupIn = g.inChannels / g.groups, perGroupOut = g.outChannels / g.groups
    var output = [Float](repeating: 0, count: batch * outputStride)
    for n in 0..<batch {
        for o in 0..<g.outChannels {
            let group = o / perGroupOut
            for y in 0..<outH {
                for x in 0..<outW {
                    var sum = Double(bias[o])
                    for c in 0..<perGroupIn {
                        for i in 0..<g.kernelHeight {
                            let h = y * g.strideHeight + i * g.dilationHeight - g.padTop
                            guard h >= 0 && h < height else { continue }
                            for j in 0..<g.kernelWidth {
                                let w = x * g.strideWidth + j * g.dilationWidth - g.padLeft
                                guard w >= 0 && w < width else { continue }
                                let value = input[n * inputStride + ((group * perGroupIn + c) * height + h) * width + w]
                                sum += Double(value) * Double(weights[((o * perGroupIn + c) * g.kernelHeight + i) * g.kernelWidth + j])
                            }
                        }
                    }
                    output[n * outputStride + (o * outH + y) * outW + x] = Float(sum)
                }
            }
        }
    }
    return output
}
