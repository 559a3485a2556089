import ArgumentParser
import Foundation
import PthClassifier
import PthVision

/// The flags that state a model's preprocessing instead of (or on top of) its torchvision preset,
/// shared by every command that turns images into tensors. Each is torchvision-exact: `--resize`
/// is `Resize`, `--crop` `CenterCrop`, `--mean`/`--std` `Normalize`, `--grayscale` PIL's `convert("L")`.
struct PreprocessingOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Resize the short side to N pixels, or to exactly HxW (height x width).", valueName: "N|HxW"))
    var resize: ResizeArgument?

    @Option(help: ArgumentHelp("Center-crop to N×N pixels, or 'none' (then --resize must be HxW).", valueName: "N|none"))
    var crop: CropArgument?

    @Option(help: ArgumentHelp("Resampling filter: bilinear, bicubic or nearest (PIL's).", valueName: "filter"))
    var interpolation: InterpolationArgument?

    @Option(help: ArgumentHelp("Per-channel mean after scaling to 0..1, e.g. 0.485,0.456,0.406 (one value serves every channel).", valueName: "a,b,c"))
    var mean: FloatListArgument?

    @Option(help: ArgumentHelp("Per-channel standard deviation, e.g. 0.229,0.224,0.225 (one value serves every channel).", valueName: "a,b,c"))
    var std: FloatListArgument?

    @Flag(help: "Convert images to grayscale (PIL convert(\"L\")); networks whose first conv takes 1 channel always are, others get it in all 3 channels.")
    var grayscale = false

    /// The flags given, as typed, for the run's description.
    var given: [String] {
        var flags = [String]()
        if let resize { flags.append("--resize \(resize.value)") }
        if let crop { flags.append("--crop \(crop.value.map(String.init) ?? "none")") }
        if let interpolation { flags.append("--interpolation \(interpolation.value.rawValue)") }
        if let mean { flags.append("--mean \(mean.text)") }
        if let std { flags.append("--std \(std.text)") }
        if grayscale { flags.append("--grayscale") }
        return flags
    }

    /// `preset` with these flags applied, for a network taking `channels`-channel images: 1 means
    /// grayscale, 3 RGB (or grayscale in all three with `--grayscale`). A preset made for the other
    /// channel count keeps its numbers: three means/stds for a 1-channel network become their luma
    /// weighting (0.299, 0.587, 0.114), the value an RGB mean has as a gray level.
    func apply(to preset: PreprocessingPreset, channels: Int) throws -> PreprocessingPreset {
        guard channels == 1 || channels == 3 else {
            throw ValidationError("the network takes \(channels)-channel images; image files give 1 (grayscale) or 3 (RGB)")
        }
        var result = ImageClassifier.fitting(preset, channels: channels)
        if channels == 3 && grayscale { result.color = .grayscaleAsRGB }
        if let resize { result.resize = resize.value }
        if let crop { result.cropSize = crop.value }
        if let interpolation { result.interpolation = interpolation.value }
        if let mean { result.mean = mean.values }
        if let std { result.std = std.values }
        if let problem = result.problem { throw ValidationError("preprocessing: \(problem)") }
        return result
    }
}

/// `--resize N` or `--resize HxW`.
struct ResizeArgument: ExpressibleByArgument {
    let value: PreprocessingPreset.Resize

    init?(argument: String) {
        let parts = argument.lowercased().split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
        switch parts.count {
        case 1: guard let side = parts[0], side >= 1 else { return nil }; value = .shortSide(side)
        case 2: guard let height = parts[0], let width = parts[1], height >= 1, width >= 1 else { return nil }; value = .exact(height: height, width: width)
        default: return nil
        }
    }
}

/// `--crop N` or `--crop none`.
struct CropArgument: ExpressibleByArgument {
    let value: Int?

    init?(argument: String) {
        if argument == "none" { value = nil; return }
        guard let side = Int(argument), side >= 1 else { return nil }
        value = side
    }
}

/// `--interpolation bilinear|bicubic|nearest`.
struct InterpolationArgument: ExpressibleByArgument {
    let value: Interpolation

    init?(argument: String) {
        guard let value = Interpolation(rawValue: argument) else { return nil }
        self.value = value
    }

    static var allValueStrings: [String] { Interpolation.allCases.map(\.rawValue) }
}

/// `a,b,c`: one or more finite numbers.
struct FloatListArgument: ExpressibleByArgument {
    let values: [Float]
    let text: String

    init?(argument: String) {
        let values = argument.split(separator: ",", omittingEmptySubsequences: false).map { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0?.isFinite == true }) else { return nil }
        self.values = values.map { $0! }
        text = argument
    }
}
