import ArgumentParser
import Foundation
import PthNumpy
import PthVision

/// `pth preprocess IMAGE --model NAME --output x.npy`: the network input torchvision would
/// build from an image, written as `.npy` so anyone can compare it with their own pipeline.
struct PreprocessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preprocess",
        abstract: "Decode an image and apply a model's torchvision preset; write the [1,3,H,W] float32 tensor as .npy.",
        discussion: """
            Matches `weights.transforms()(Image.open(IMAGE).convert("RGB"))` in torchvision: resize the short side \
            (PIL's antialiased filter), center-crop, scale to 0..1, normalize; the preprocessing flags change any \
            step, and --grayscale (or a grayscale preset such as lenet5's) writes [1, 1, H, W] from convert("L"). --model takes a torchvision model \
            name (its original ImageNet weights' preset), MODEL.WEIGHTS (e.g. resnet50.IMAGENET1K_V2), or a \
            torchvision checkpoint file name (e.g. resnet50-11ad3fa6.pth).
            """)

    @Argument(help: "An image: JPEG, PNG, WebP, BMP, TIFF or GIF (first frame).")
    var image: String

    @Option(help: "Model whose preprocessing to apply, e.g. resnet50, inception_v3, efficientnet_b0.")
    var model: String

    @Option(help: "Where to write the .npy tensor (- for standard output).")
    var output: String

    @Option(help: "Refuse images with more pixels than this (PIL's decompression-bomb limit by default).")
    var maxPixels = ImageDecoder.defaultMaxPixels

    @OptionGroup(title: "Preprocessing (each overrides the preset)")
    var preprocessing: PreprocessingOptions

    @Option(help: "Channels of the tensor: 3, or 1 for a grayscale network (default: 1 with --grayscale or a grayscale preset such as lenet5's, else 3).")
    var channels: Int?

    func run() throws {
        let named = try ModelArgument.preset(model)
        try NpyOutput.check(output)
        // Without a network to ask, grayscale means one channel unless --channels says otherwise.
        let preset = try preprocessing.apply(to: named, channels: channels ?? (named.color == .grayscale || preprocessing.grayscale ? 1 : 3))
        let preprocessor = ImagePreprocessor(preset: preset, decoder: ImageDecoder(maxPixels: maxPixels))
        let values = try preprocessor.tensor(forImageAt: image)
        let size = preprocessor.outputSize
        try NpyOutput.write(NpyArray(shape: [1, preprocessor.channels, size.height, size.width], values: values), to: output)
    }
}
