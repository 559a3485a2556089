import PthGraph
import PthKernels

/// A graph node turned into what the executor runs: kernels with their weights prepared once.
enum CompiledNode {
    case input
    case convolution(ConvolutionKernel)
    case linear(LinearKernel)
    case activation(ActivationFunction)
    case add(ActivationFunction)
    case multiply
    case concat
    case maxPool(PoolingWindow)
    case avgPool(PoolingWindow)
    case adaptiveAvgPool
    /// Same storage as the input seen with another shape (flatten, dropout): no work.
    case view
    case pad(top: Int, left: Int)
    case channelAffine(scale: [Float], shift: [Float], activation: ActivationFunction)

    init(_ node: Node) throws {
        switch node.op {
        case .input: self = .input
        case .conv2d(let conv):
            guard conv.weight.shape.count == 4, conv.groups >= 1, conv.outChannels % conv.groups == 0 else {
                throw GraphError(node: node.name, "conv weight \(conv.weight.shape) does not split into \(conv.groups) groups")
            }
            let geometry = ConvolutionGeometry(
                inChannels: conv.inChannels, outChannels: conv.outChannels,
                kernelHeight: conv.kernel.height, kernelWidth: conv.kernel.width,
                strideHeight: conv.stride.height, strideWidth: conv.stride.width,
                padTop: conv.padding.top, padBottom: conv.padding.bottom, padLeft: conv.padding.left, padRight: conv.padding.right,
                dilationHeight: conv.dilation.height, dilationWidth: conv.dilation.width, groups: conv.groups)
            guard min(geometry.strideHeight, geometry.strideWidth, geometry.dilationHeight, geometry.dilationWidth) >= 1,
                min(geometry.padTop, geometry.padBottom, geometry.padLeft, geometry.padRight) >= 0
            else {
                throw GraphError(node: node.name, "conv stride and dilation must be ≥ 1 and padding ≥ 0")
            }
            self = .convolution(
                ConvolutionKernel(
                    geometry: geometry, weights: KernelWeights(conv.weight),
                    scale: conv.outputScale?.values, bias: conv.bias?.values,
                    activation: ActivationFunction(conv.activation),
                    inputAffine: conv.inputAffine.map {
                        ConvolutionKernel.InputAffine(scale: $0.scale, shift: $0.shift, appliesReLU: $0.activation == .relu)
                    }))
        case .linear(let linear):
            guard linear.weight.shape.count == 2 else {
                throw GraphError(node: node.name, "linear weight must be [out, in], given \(linear.weight.shape)")
            }
            self = .linear(
                LinearKernel(
                    inFeatures: linear.weight.shape[1], outFeatures: linear.weight.shape[0],
                    weights: KernelWeights(linear.weight), bias: linear.bias?.values,
                    activation: ActivationFunction(linear.activation)))
        case .batchNorm:
            throw GraphError(node: node.name, "batchNorm left in the graph; run Freezing.freeze before planning")
        case .activation(let activation): self = .activation(ActivationFunction(activation))
        case .add(let activation): self = .add(ActivationFunction(activation))
        case .mul: self = .multiply
        case .concat: self = .concat
        case .maxPool(let pool): self = .maxPool(PoolingWindow(pool))
        case .avgPool(let pool): self = .avgPool(PoolingWindow(pool))
        case .adaptiveAvgPool: self = .adaptiveAvgPool
        case .flatten, .dropout: self = .view
        case .pad(let padding): self = .pad(top: padding.top, left: padding.left)
        case .channelAffine(let scale, let shift, let activation):
            self = .channelAffine(scale: scale, shift: shift, activation: ActivationFunction(activation))
        }
    }
}

extension ActivationFunction {
    init(_ activation: Activation) {
        switch activation {
        case .identity: self = .identity
        case .relu: self = .relu
        case .relu6: self = .relu6
        case .silu: self = .silu
        case .sigmoid: self = .sigmoid
        case .hardswish: self = .hardswish
        case .hardsigmoid: self = .hardsigmoid
        }
    }
}

extension PoolingWindow {
    init(_ pool: Pool2d) {
        self.init(
            kernelHeight: pool.kernel.height, kernelWidth: pool.kernel.width,
            strideHeight: pool.stride.height, strideWidth: pool.stride.width,
            padTop: pool.padding.top, padBottom: pool.padding.bottom, padLeft: pool.padding.left, padRight: pool.padding.right,
            countIncludePad: pool.countIncludePad)
    }
}

extension KernelWeights {
    /// The constant's values, read in place when it borrows them (no copy of a mapped checkpoint's weights).
    init(_ constant: Constant) {
        if let memory = constant.borrowed {
            self.init(borrowing: memory)
        } else {
            self.init(constant.values)
        }
    }
}
