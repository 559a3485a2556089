/// The evaluation transform of one set of torchvision weights (`weights.transforms()`, an
/// `ImageClassification`), or one a user states: colour conversion, resize, center crop, scale to
/// 0…1, normalize.
public struct PreprocessingPreset: Sendable, Equatable {
    /// How the image is resized before the crop.
    public enum Resize: Sendable, Equatable, CustomStringConvertible {
        /// torchvision `Resize(n)`: the short side becomes `n` pixels, the aspect ratio is kept.
        case shortSide(Int)
        /// torchvision `Resize((height, width))`: exactly this size, the aspect ratio is not kept.
        case exact(height: Int, width: Int)

        /// The side as `--resize` takes it: `N` or `HxW`.
        public var description: String {
            switch self {
            case .shortSide(let side): return "\(side)"
            case .exact(let height, let width): return "\(height)x\(width)"
            }
        }
    }

    /// The colour the network sees.
    public enum Color: String, Sendable, Equatable {
        /// PIL's `convert("RGB")`: three channels.
        case rgb
        /// PIL's `convert("L")` (ITU-R 601-2 luma): one channel, for networks trained on grayscale.
        case grayscale
        /// `convert("L")` then back to three equal channels, as torchvision's `Grayscale(3)`.
        case grayscaleAsRGB

        /// Channels of the tensor produced.
        public var channels: Int { self == .grayscale ? 1 : 3 }
    }

    /// The torchvision model builder name, e.g. `resnet50`.
    public var model: String
    /// The weights enum member, e.g. `IMAGENET1K_V1`.
    public var weights: String
    /// The file name torchvision downloads these weights as, e.g. `resnet50-0676ba61.pth`.
    public var checkpointFileName: String
    /// The resize before the crop.
    public var resize: Resize
    /// Side of the square center crop; nil for none (then `resize` must be `.exact`, so every image
    /// comes out the same size).
    public var cropSize: Int?
    /// The resampling filter used to resize.
    public var interpolation: Interpolation
    /// Per-channel mean subtracted after scaling to 0…1: one value per channel, or one for all.
    public var mean: [Float]
    /// Per-channel divisor applied after subtracting the mean: one value per channel, or one for all.
    public var std: [Float]
    /// The colour conversion applied to the decoded image first.
    public var color: Color

    /// A preset that resizes the short side to `resizeSize` and center-crops `cropSize`.
    public init(
        model: String, weights: String, checkpointFileName: String, resizeSize: Int, cropSize: Int,
        interpolation: Interpolation, mean: [Float], std: [Float], color: Color = .rgb
    ) {
        self.model = model
        self.weights = weights
        self.checkpointFileName = checkpointFileName
        self.resize = .shortSide(resizeSize)
        self.cropSize = cropSize
        self.interpolation = interpolation
        self.mean = mean
        self.std = std
        self.color = color
    }

    /// Height and width of every tensor this preset produces, or nil if that depends on the image
    /// (no crop and a short-side resize).
    public var outputSize: (height: Int, width: Int)? {
        if let cropSize { return (cropSize, cropSize) }
        if case .exact(let height, let width) = resize { return (height, width) }
        return nil
    }

    /// Why this preset cannot preprocess images into one batch, or nil if it can: sizes and
    /// normalisation values out of range, or a mean/std count that fits neither one nor every channel.
    public var problem: String? {
        switch resize {
        case .shortSide(let side) where side < 1: return "resize size \(side) is not positive"
        case .exact(let height, let width) where height < 1 || width < 1: return "resize size \(height)x\(width) is not positive"
        default: break
        }
        if let cropSize, cropSize < 1 { return "crop size \(cropSize) is not positive" }
        if outputSize == nil { return "without a crop the resize must be HxW, so every image comes out the same size" }
        let channels = color.channels
        for (name, values) in [("mean", mean), ("std", std)] where values.count != 1 && values.count != channels {
            return "\(name) has \(values.count) values; the \(channels)-channel input takes \(channels == 1 ? "1" : "1 or \(channels)")"
        }
        if let zero = std.first(where: { $0 == 0 || !$0.isFinite }) { return "std \(zero) cannot divide" }
        if let bad = mean.first(where: { !$0.isFinite }) { return "mean \(bad) is not a number" }
        return nil
    }

    /// The mean and std of channel `channel` (a single value serves every channel).
    func normalization(channel: Int) -> (mean: Float, std: Float) {
        (mean[mean.count == 1 ? 0 : channel], std[std.count == 1 ? 0 : channel])
    }

    /// The preset for `name`: a model (`resnet50`, meaning its first, original ImageNet
    /// weights), a model and weights (`resnet50.IMAGENET1K_V2`), or a torchvision checkpoint
    /// file name (`resnet50-11ad3fa6.pth`). Nil if none matches.
    public static func named(_ name: String) -> PreprocessingPreset? {
        let fileName = name.split(separator: "/").last.map(String.init) ?? name
        let known = all + withoutTorchvisionWeights
        return known.first { $0.model == name }
            ?? known.first { "\($0.model).\($0.weights)" == name }
            ?? known.first { !$0.checkpointFileName.isEmpty && $0.checkpointFileName == fileName }
    }

    /// Defaults for the architectures torchvision publishes no weights for, so each has a usable
    /// starting point: LeNet-5 takes 32×32 grayscale images scaled to 0…1 and not normalised, as the
    /// PyTorch tutorials train it (`Resize(32)`, `ToTensor()`); state yours with the override flags.
    public static let withoutTorchvisionWeights = [
        PreprocessingPreset(
            model: "lenet5", weights: "DEFAULT", checkpointFileName: "", resizeSize: 32, cropSize: 32,
            interpolation: .bilinear, mean: [0], std: [1], color: .grayscale)
    ]

    /// Every model name with a preset, sorted, for error messages and help.
    public static var modelNames: [String] {
        Array(Set((all + withoutTorchvisionWeights).map(\.model))).sorted()
    }
}
