import ArgumentParser
import Foundation
import PthModels
import PthNumpy
import PthRuntime

/// `pth forward`: logits for a batch of preprocessed images, `.npy` in and out, so the runtime can be
/// checked against PyTorch on any input.
struct ForwardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forward",
        abstract: "Run a checkpoint's network on an [N,C,H,W] float32 .npy batch; write [N,classes] logits as .npy.",
        discussion: """
            The input is already preprocessed (see `pth preprocess`). Without --model the architecture is \
            detected from the checkpoint's keys and shapes. Known architectures: \
            \(Architecture.all.map(\.name).joined(separator: ", ")).
            """)

    @Option(help: "The .pth checkpoint (a state dict, or a dict holding one).")
    var weights: String

    @Option(help: "Architecture name; detected from the checkpoint when omitted.")
    var model: String?

    @Flag(inversion: .prefixedNo, help: TransformInputFlag.help)
    var transformInput: Bool?

    @Option(help: "The input batch: float32 .npy of shape [N, C, H, W] (C = 3, or what the network's first conv takes).")
    var input: String

    @Option(help: "Where to write the float32 .npy logits [N, classes] (- for standard output).")
    var output: String

    @Option(
        help: ArgumentHelp(
            "Dotted path of the state dict to use when the checkpoint holds several (e.g. ema, generator, state.model); `pth inspect` lists them.",
            valueName: "key"))
    var stateDict: String?

    @Option(
        parsing: .unconditional, help: "Cores to use: one image's kernels are split over them, a batch's images grouped across them (default: all processors).")
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, given \(threads)") }
        if let model { try ModelArgument.checkRunnable(model, presets: false) }
    }

    func run() throws {
        try NpyOutput.check(output)
        let batch = try PreprocessedBatch(
            npy: input, weights: weights, stateDict: stateDict, architecture: model, transformInput: transformInput,
            detected: model == nil, threads: threads)
        let logits = try batch.network.run(batch.input)
        try NpyOutput.write(NpyArray(shape: logits.shape, values: logits.values), to: output)
    }
}
