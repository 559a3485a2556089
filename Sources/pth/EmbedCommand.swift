import ArgumentParser
import Foundation
import PthClassifier
import PthModels
import PthNumpy
import PthRuntime
import PthVision

/// `pth embed`: each image's embedding — the features before the network's final Linear layer — for
/// deduplication, similarity search and clustering.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Write each image's embedding (the features before the final Linear layer) as .npy or JSON Lines.",
        discussion: """
            The embedding is what torchvision's model returns with its final Linear layer replaced by nn.Identity() \
            (model.fc for ResNet, Inception and GoogLeNet, model.classifier for DenseNet, the last classifier entry for \
            the others). Images are found as by `pth classify` and preprocessed the same way (the same flags).

            --output FILE.npy writes a float32 [N, features] matrix of the images that could be read, in input order, \
            and FILE.paths.txt naming the image of each row; --format jsonl writes {"path", "embedding"} per image \
            ({"path", "error"} for one that could not be read). With --input x.npy (an already preprocessed \
            [N, C, H, W] float32 batch) the network runs on that batch instead. Exit status: 0, 1 if some image \
            could not be read, 2 if nothing could be done.
            """)

    /// What `embed` writes.
    enum Format: String, CaseIterable, ExpressibleByArgument {
        case npy, jsonl
    }

    @Argument(help: "Image files and folders (not with --input).")
    var paths: [String] = []

    @Option(help: "The checkpoint.")
    var weights: String

    @Option(help: "Model, or MODEL.WEIGHTS: architecture and preprocessing preset; detected when omitted.")
    var model: String?

    @Flag(inversion: .prefixedNo, help: TransformInputFlag.help)
    var transformInput: Bool?

    @Option(help: "An already preprocessed float32 .npy batch [N, C, H, W] to embed instead of image files.")
    var input: String?

    @Option(help: "Where to write: a .npy matrix (with FILE.paths.txt beside it), or JSON Lines with --format jsonl (default: standard output).")
    var output: String?

    @Option(help: "npy (default with --output FILE.npy or --input) or jsonl.")
    var format: Format?

    @Option(help: "Images per network run.")
    var batchSize = 8

    @Option(
        help: ArgumentHelp(
            "Dotted path of the state dict to use when the checkpoint holds several (e.g. ema, generator, state.model); `pth inspect` lists them.",
            valueName: "key"))
    var stateDict: String?

    @Option(help: "Cores the network uses (default: all processors).")
    var threads: Int?

    @Option(help: "Threads decoding and preprocessing images ahead of the network (default: all processors).")
    var workers: Int?

    @Option(help: "Also take files whose name matches this glob (any case) from folders; repeatable.")
    var include: [String] = []

    @OptionGroup(title: "Preprocessing (each overrides the preset)")
    var preprocessing: PreprocessingOptions

    private var chosenFormat: Format { format ?? (output == nil && input == nil ? .jsonl : .npy) }

    func validate() throws {
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1, given \(batchSize)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, given \(threads)") }
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1, given \(workers)") }
        if input != nil && !paths.isEmpty { throw ValidationError("give image paths or --input, not both") }
        if input == nil && paths.isEmpty { throw ValidationError("give image files or folders, or --input x.npy") }
        if chosenFormat == .npy && output == nil { throw ValidationError("--format npy needs --output FILE.npy") }
        if input != nil && chosenFormat == .jsonl { throw ValidationError("--input writes a .npy matrix: give --output FILE.npy") }
    }

    func run() throws {
        if let input { return try embedBatch(input) }
        if try embedImages() > 0 { throw ExitStatus.someInputsFailed.exit }
    }

    /// Embeds a preprocessed batch.
    private func embedBatch(_ input: String) throws {
        let batch = try PreprocessedBatch(
            npy: input, weights: weights, stateDict: stateDict, architecture: model.flatMap { PreprocessingPreset.named($0)?.model ?? $0 },
            transformInput: transformInput, detected: model == nil, threads: threads)
        let features = try batch.network.embed(batch.input)
        try NpyArray(shape: features.shape, values: features.values).write(to: output!)
    }

    /// Embeds image files; returns how many could not be read.
    private func embedImages() throws -> Int {
        let inputs = try ClassifyInputs.discover(paths, include: include, hidden: false).paths
        guard !inputs.isEmpty else { throw CommandFailure(.fatal, "no image files in \(paths.joined(separator: ", "))") }
        let sink = try chosenFormat == .jsonl ? output.map { try BatchOutput(path: $0, append: false) } ?? .standardOutput() : nil
        let base = try ImageClassifier(
            contentsOf: weights,
            configuration: .init(
                architecture: model, stateDictKey: stateDict, transformInput: transformInput, threads: threads))
        let classifier = try base.preprocessing(
            try preprocessing.apply(to: base.preprocessor.preset, channels: base.network.inputChannels),
            source: base.presetSource)
        RunDescription(
            architecture: classifier.network.architecture.name, detected: model == nil,
            transformInput: classifier.network.architecture.transformInput, weights: weights,
            stateDict: classifier.network.stateDictChoice?.description,
            classes: classifier.network.classes, inputChannels: classifier.network.inputChannels,
            preset: classifier.preprocessor.preset, presetSource: classifier.presetSource, overrides: preprocessing.given,
            threads: classifier.network.threads
        ).announce()
        let results = try classifier.embeddings(imagesAt: inputs, batchSize: batchSize, workers: workers)
        var rows: [String] = [], values: [Float] = [], failed = 0
        for (path, result) in zip(inputs, results) {
            switch result {
            case .success(let features):
                if let sink {
                    try sink.write("{\"path\": \(JSONString.quoted(path)), \"embedding\": [\(features.map { "\($0)" }.joined(separator: ", "))]}\n")
                } else {
                    rows.append(path)
                    values += features
                }
            case .failure(let error):
                failed += 1
                let reason = error.path == path ? error.message : error.description
                if let sink {
                    try sink.write("{\"path\": \(JSONString.quoted(path)), \"error\": \(JSONString.quoted(reason))}\n")
                } else {
                    FileHandle.standardError.write(Data("\(path): \(reason)\n".utf8))
                }
            }
        }
        if sink == nil, let output {
            try NpyArray(shape: [rows.count, classifier.network.embeddingSize], values: values).write(to: output)
            let list = Self.pathsFile(for: output)
            try BatchOutput(path: list, append: false).write(rows.map { $0 + "\n" }.joined())
        }
        FileHandle.standardError.write(Data("embedded \(inputs.count - failed) image\(inputs.count - failed == 1 ? "" : "s"), \(failed) failed\n".utf8))
        return failed
    }

    /// `emb.npy` → `emb.paths.txt`: the image of each row.
    static func pathsFile(for output: String) -> String {
        (output.hasSuffix(".npy") ? String(output.dropLast(4)) : output) + ".paths.txt"
    }
}
