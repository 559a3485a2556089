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
        abstract: "Run a checkpoint's network on an [N,3,H,W] float32 .npy batch; write [N,classes] logits as .npy.",
        discussion: """
            The input is already preprocessed (see `pth preprocess`). Without --model the architecture is \
            detected from the checkpoint's keys and shapes. Known architectures: \
            \(Architecture.all.map(\.name).joined(separator: ", ")).
            """)

    @Option(help: "The .pth checkpoint (a state dict, or a dict holding one).")
    var weights: String

    @Option(help: "Architecture name; detected from the checkpoint when omitted.")
    var model: String?

    @Option(help: "The input batch: float32 .npy of shape [N, 3, H, W].")
    var input: String

    @Option(help: "Where to write the float32 .npy logits [N, classes].")
    var output: String

    @Option(help: "Cores to use: one image's kernels are split over them, a batch's images grouped across them (default: all processors).")
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, given \(threads)") }
    }

    func run() throws {
        do {
            let batch = try NpyArray(contentsOf: input)
            guard batch.shape.count == 4, batch.shape[1] == 3 else {
                throw ModelError(input, "expected a float32 array of shape [N, 3, H, W], found \(batch.shape)")
            }
            let network = try Network(contentsOf: weights, architecture: model, threads: threads)
            let logits = try network.run(FeatureMap(shape: batch.shape, values: batch.values))
            try NpyArray(shape: logits.shape, values: logits.values).write(to: output)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

