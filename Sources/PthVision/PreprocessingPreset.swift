/// The evaluation transform of one set of torchvision weights (`weights.transforms()`, an
/// `ImageClassification`): resize the short side, center-crop, scale to 0…1, normalize.
public struct PreprocessingPreset: Sendable, Equatable {
    /// The torchvision model builder name, e.g. `resnet50`.
    public var model: String
    /// The weights enum member, e.g. `IMAGENET1K_V1`.
    public var weights: String
    /// The file name torchvision downloads these weights as, e.g. `resnet50-0676ba61.pth`.
    public var checkpointFileName: String
    /// The short side is resized to this many pixels.
    public var resizeSize: Int
    /// Side of the square center crop.
    public var cropSize: Int
    /// The resampling filter used to resize.
    public var interpolation: Interpolation
    /// Per-channel (R, G, B) mean subtracted after scaling to 0…1.
    public var mean: [Float]
    /// Per-channel (R, G, B) divisor applied after subtracting the mean.
    public var std: [Float]

    /// A preset; `mean` and `std` must have three entries.
    public init(model: String, weights: String, checkpointFileName: String, resizeSize: Int, cropSize: Int,
                interpolation: Interpolation, mean: [Float], std: [Float]) {
        precondition(mean.count == 3 && std.count == 3, "preset \(model): mean and std need 3 channels")
        self.model = model
        self.weights = weights
        self.checkpointFileName = checkpointFileName
        self.resizeSize = resizeSize
        self.cropSize = cropSize
        self.interpolation = interpolation
        self.mean = mean
        self.std = std
    }

    /// The preset for `name`: a model (`resnet50`, meaning its first, original ImageNet
    /// weights), a model and weights (`resnet50.IMAGENET1K_V2`), or a torchvision checkpoint
    /// file name (`resnet50-11ad3fa6.pth`). Nil if none matches.
    public static func named(_ name: String) -> PreprocessingPreset? {
        let fileName = name.split(separator: "/").last.map(String.init) ?? name
        return all.first { $0.model == name }
            ?? all.first { "\($0.model).\($0.weights)" == name }
            ?? all.first { $0.checkpointFileName == fileName }
    }

    /// Every model name with a preset, sorted, for error messages and help.
    public static var modelNames: [String] {
        Array(Set(all.map(\.model))).sorted()
    }
}
