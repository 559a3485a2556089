import ArgumentParser
import Foundation
import PthCheckpoint
import PthModels
import PthVision

/// `pth classify PATH… --weights W.pth`: label every image under some folders with a checkpoint's
/// classifier, as a resumable, shardable batch job.
struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Label image files and folders with a checkpoint's classifier (top-k classes per image).",
        discussion: """
            Folders are searched recursively for .jpg/.jpeg/.png files (any case; --include adds more name \
            globs); inputs are sorted, and results come out in that order, one line per image. Preprocessing \
            is the torchvision preset of --model, else of the architecture detected in the checkpoint \
            (a torchvision checkpoint file name such as resnet50-11ad3fa6.pth picks its own weights' preset).

            An image that cannot be read gets an error line ({"path", "error"} in jsonl) and the run goes on. \
            Exit status: 0 if every image was classified, 1 if any could not be read, 2 if the run itself \
            failed (missing PATH, unusable weights, output not writable, disk full).

            Output is written and fsync'd batch by batch, in whole lines. --resume reads --output first, \
            drops a partial last line, and skips the inputs it already has; run it after a crash or kill. \
            --shard i/N keeps the sorted inputs whose 0-based position k has k mod N = i, so N copies \
            (shards 0/N … N-1/N, e.g. a Kubernetes Indexed Job's JOB_COMPLETION_INDEX) cover every input once.
            """)

    @Argument(help: "Image files and folders.")
    var paths: [String]

    @Option(help: "The .pth checkpoint.")
    var weights: String

    @Option(help: "Model, or MODEL.WEIGHTS (e.g. resnet50.IMAGENET1K_V2): architecture and preprocessing preset; detected when omitted.")
    var model: String?

    @Option(help: "Classes listed per image (default: 5, or every class of a smaller head).")
    var topk: Int?

    @Option(help: "Images per network run.")
    var batchSize = 8

    @Option(help: ArgumentHelp("Dotted path of the state dict to use when the checkpoint holds several (e.g. ema, generator, state.model); `pth inspect` lists them.", valueName: "key"))
    var stateDict: String?

    @Option(help: "Cores the network uses: one image's kernels are split over them, a batch's images grouped across them (default: all processors).")
    var threads: Int?

    @Option(help: "Threads decoding and preprocessing images ahead of the network (default: all processors).")
    var workers: Int?

    @Option(help: "Output format: table, csv or jsonl.")
    var format: ClassifyFormat = .table

    @Option(help: "Write results to this file instead of standard output.")
    var output: String?

    @Flag(help: "Keep the results already in --output and classify only the inputs it lacks.")
    var resume = false

    @Option(help: "Classify only shard i of N (0 ≤ i < N) of the sorted inputs.")
    var shard: BatchShard?

    @Option(help: "Also take files whose name matches this glob (any case) from folders; repeatable, e.g. '*.jfif'.")
    var include: [String] = []

    @Option(help: "Also write an HTML contact sheet: a thumbnail and top-k bars per image.")
    var html: String?

    @Option(help: "Refuse images with more pixels than this (PIL's decompression-bomb limit by default).")
    var maxPixels = ImageDecoder.defaultMaxPixels

    @Option(help: ArgumentHelp("Class names: one per line, a JSON list, or a JSON object index→name (or name→index). "
                               + "Default: the names the checkpoint carries (class_to_idx, classes, …), ImageNet's for 1000 classes, else 'class N'.",
                               valueName: "file"))
    var labels: String?

    @Option(help: ArgumentHelp("Also write the run's facts (architecture, weights, preprocessing, labels, threads) as JSON to this file.", valueName: "file"))
    var meta: String?

    @OptionGroup(title: "Preprocessing (each overrides the preset)")
    var preprocessing: PreprocessingOptions

    func validate() throws {
        if let topk, topk < 1 { throw ValidationError("--topk must be at least 1, given \(topk)") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1, given \(batchSize)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, given \(threads)") }
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1, given \(workers)") }
        if maxPixels < 1 { throw ValidationError("--max-pixels must be at least 1, given \(maxPixels)") }
        if resume && output == nil { throw ValidationError("--resume needs --output: the file to resume") }
        if let output, let html, output == html { throw ValidationError("--output and --html must be different files") }
        if let meta, meta == output || meta == html { throw ValidationError("--meta must be a file of its own") }
    }

    func run() throws {
        let tally: ClassifyPipeline.Tally
        let skipped: Int
        let start = DispatchTime.now().uptimeNanoseconds
        do {
            // A file-size limit must come back as an error from write(), not kill the run mid-line.
            signal(SIGXFSZ, SIG_IGN)
            var inputs = try ClassifyInputs.discover(paths, include: include)
            if let shard { inputs = shard.select(inputs) }
            let pathWidth = inputs.map(\.count).max() ?? 0
            let done = try resume ? BatchResume.completedPaths(in: output!, format: format, inputs: inputs) : []
            let pending = inputs.filter { !done.contains($0) }
            skipped = inputs.count - pending.count

            // Everything that can fail without the network fails before it is loaded.
            let sink = try output.map { try BatchOutput(path: $0, append: resume) } ?? .standardOutput()
            let report = try html.map { try ClassifyHTMLReport(path: $0, resume: resume) }
            let metaSink = try meta.map { try BatchOutput(path: $0, append: false) }
            guard !pending.isEmpty else {
                Self.summary(ClassifyPipeline.Tally(), skipped: skipped, seconds: 0, output: output)
                return
            }

            let requested = try presetRequested()
            let checkpoint = try Network.readCheckpoint(weights)
            let network = try Network(checkpoint: checkpoint, path: weights, stateDictKey: stateDict, architecture: requested?.model ?? model, threads: threads)
            let topK = topk ?? min(5, network.classes)
            guard topK <= network.classes else {
                throw ClassifyError("--topk \(topK) is more than the \(network.classes) classes of \(weights)")
            }
            if sink.length == 0, let header = format.header(topK: topK) { try sink.write(header) }
            let (basePreset, presetSource) = try requested.map { ($0, "--model") } ?? presetDetected(network.architecture.name)
            let preset = try preprocessing.apply(to: basePreset, channels: network.inputChannels)
            let classLabels: ClassLabels
            do {
                classLabels = try ClassLabels.resolve(file: labels, checkpoint: try checkpoint.classNames().map { ($0.key, $0.names) },
                                                      classes: network.classes)
            } catch let error as CheckpointError {
                throw ClassifyError("\(weights): \(error)")
            }
            let description = RunDescription(
                architecture: network.architecture.name, detected: model == nil, weights: weights, stateDict: network.stateDictChoice?.description,
                classes: network.classes, inputChannels: network.inputChannels, preset: preset, presetSource: presetSource,
                overrides: preprocessing.given, labels: classLabels, threads: network.threads)
            description.announce()
            try metaSink?.write(description.json + "\n")
            try report?.describe(run: description)
            let pipeline = ClassifyPipeline(
                network: network,
                preprocessor: ImagePreprocessor(preset: preset, decoder: ImageDecoder(maxPixels: maxPixels)),
                labels: classLabels.names,
                topK: topK, batchSize: batchSize,
                workers: workers ?? ProcessInfo.processInfo.activeProcessorCount,
                format: format, pathWidth: pathWidth, output: sink, report: report,
                progress: BatchProgress.forTerminal(total: pending.count))
            tally = try pipeline.run(pending)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        Self.summary(tally, skipped: skipped, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, output: output)
        if tally.failed > 0 { throw ExitCode(1) }
    }

    /// The preset `--model` names, or nil without `--model`.
    private func presetRequested() throws -> PreprocessingPreset? {
        guard let model else { return nil }
        guard let preset = PreprocessingPreset.named(model) else {
            throw ClassifyError("--model \(model): no torchvision preprocessing preset by that name; known models: "
                + PreprocessingPreset.modelNames.joined(separator: ", "))
        }
        return preset
    }

    /// The preset for a detected architecture, and why it was chosen: that of the weights file's name
    /// when it is a torchvision checkpoint of the same model (so IMAGENET1K_V2 weights get their own
    /// preset), else the model's original weights' preset.
    private func presetDetected(_ architecture: String) throws -> (PreprocessingPreset, String) {
        if let byFile = PreprocessingPreset.named(weights), byFile.model == architecture { return (byFile, "the weights' file name") }
        if let byModel = PreprocessingPreset.named(architecture) { return (byModel, "the architecture's") }
        throw ClassifyError("\(weights): no preprocessing preset for architecture \(architecture); state it with --resize, --crop, --mean and --std")
    }

    /// The closing line on standard error, whatever the output.
    private static func summary(_ tally: ClassifyPipeline.Tally, skipped: Int, seconds: Double, output: String?) {
        var line = "classified \(tally.classified) image\(tally.classified == 1 ? "" : "s"), \(tally.failed) failed"
        if skipped > 0 { line += ", \(skipped) skipped (already in \(output ?? "the output"))" }
        if seconds > 0 && tally.classified + tally.failed > 0 {
            line += String(format: " in %.1f s (%.1f img/s)", seconds, Double(tally.classified + tally.failed) / seconds)
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
