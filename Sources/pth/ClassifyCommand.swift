import ArgumentParser
import Foundation
import PthCheckpoint
import PthClassifier
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

            Paths can also come one per line from standard input (PATH "-", e.g. `find … | pth classify - …`) \
            or a file (--files-from), NUL-separated with -0. Hidden files and folders (a leading dot, such as \
            macOS's ._name companions) are skipped unless --hidden; what was skipped is counted on standard error, \
            and finding no image at all is an error.

            An image that cannot be read gets an error line ({"path", "error"} in jsonl) and the run goes on, \
            as does one whose logits are not finite (NaN or infinity). Exit status: 0 if every image was \
            classified, 1 if any failed, 2 if the run itself failed (no images, unusable weights, output not \
            writable, disk full), 64 for a wrong command line; with --format jsonl a fatal error is printed \
            as {"error": …}.

            Output is written and fsync'd batch by batch, in whole lines. An existing --output is only \
            replaced with --overwrite; --resume reads it first, drops a partial last line, and skips the inputs \
            it already has — refusing when the model, weights, preprocessing, class names, --topk or format \
            differ from the run that wrote it (recorded beside it in OUTPUT.pth-run.json). \
            --shard i/N keeps the sorted inputs whose 0-based position k has k mod N = i, so N copies \
            (shards 0/N … N-1/N, e.g. a Kubernetes Indexed Job's JOB_COMPLETION_INDEX) cover every input once.
            """)

    @Argument(help: "Image files and folders; - reads more paths from standard input.")
    var paths: [String] = []

    @Option(help: ArgumentHelp("Also classify the paths listed in this file, one per line (- for standard input).", valueName: "file"))
    var filesFrom: String?

    @Flag(name: [.customShort("0"), .customLong("null")], help: "Paths read from standard input or --files-from are separated by NUL bytes (find -print0).")
    var nulSeparated = false

    @Flag(help: "Also take hidden files and folders (names starting with a dot) from folders.")
    var hidden = false

    @Option(help: "The .pth checkpoint.")
    var weights: String

    @Option(help: "Model, or MODEL.WEIGHTS (e.g. resnet50.IMAGENET1K_V2): architecture and preprocessing preset; detected when omitted.")
    var model: String?

    @Flag(inversion: .prefixedNo, help: TransformInputFlag.help)
    var transformInput: Bool?

    @Option(parsing: .unconditional, help: "Classes listed per image (default: 5, or every class of a smaller head).")
    var topk: Int?

    @Option(parsing: .unconditional, help: "Images per network run (refused when they cannot fit in the memory available).")
    var batchSize = 8

    @Option(
        help: ArgumentHelp(
            "Dotted path of the state dict to use when the checkpoint holds several (e.g. ema, generator, state.model); `pth inspect` lists them.",
            valueName: "key"))
    var stateDict: String?

    @Option(
        parsing: .unconditional,
        help: "Cores the network uses: one image's kernels are split over them, a batch's images grouped across them (default: all processors).")
    var threads: Int?

    @Option(parsing: .unconditional, help: "Threads decoding and preprocessing images ahead of the network (default: all processors).")
    var workers: Int?

    @Option(help: "Output format: table, csv or jsonl.")
    var format: ClassifyFormat = .table

    @Option(help: "Write results to this file instead of standard output (- is standard output).")
    var output: String?

    @Flag(help: "Keep the results already in --output (and --html) and classify only the inputs it lacks.")
    var resume = false

    @Flag(help: "Replace an existing non-empty --output (and --html) instead of refusing to.")
    var overwrite = false

    @Option(help: ArgumentHelp("Classify only shard i of N (0 ≤ i < N) of the sorted inputs.", valueName: "i/N"), transform: BatchShard.init(parsing:))
    var shard: BatchShard?

    @Option(help: "Also take files whose name matches this glob (any case) from folders; repeatable, e.g. '*.jfif'.")
    var include: [String] = []

    @Option(help: "Also write an HTML contact sheet: a thumbnail and top-k bars per image.")
    var html: String?

    @Option(parsing: .unconditional, help: "Refuse images with more pixels than this (PIL's decompression-bomb limit by default).")
    var maxPixels = ImageDecoder.defaultMaxPixels

    @Option(
        help: ArgumentHelp(
            "Class names: one per line, a JSON list, or a JSON object index→name (or name→index). "
                + "Default: the names the checkpoint carries (class_to_idx, classes, …), ImageNet's for 1000 classes, else 'class N'.",
            valueName: "file"))
    var labels: String?

    @Option(help: ArgumentHelp("Also write the run's facts (architecture, weights, preprocessing, labels, threads) as JSON to this file.", valueName: "file"))
    var meta: String?

    @Flag(name: .shortAndLong, help: "No progress and no line saying what was chosen; only errors and the closing summary.")
    var quiet = false

    @Option(parsing: .unconditional, help: ArgumentHelp("Seconds between progress lines when standard error is not a terminal (a log).", valueName: "seconds"))
    var progressInterval = 10.0

    @OptionGroup(title: "Preprocessing (each overrides the preset)")
    var preprocessing: PreprocessingOptions

    func validate() throws {
        if let topk, topk < 1 { throw ValidationError("--topk must be at least 1, given \(topk)") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1, given \(batchSize)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, given \(threads)") }
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1, given \(workers)") }
        if !(progressInterval >= 0) { throw ValidationError("--progress-interval must be 0 or more seconds, given \(progressInterval)") }
        if maxPixels < 1 { throw ValidationError("--max-pixels must be at least 1, given \(maxPixels)") }
        if paths.isEmpty && filesFrom == nil { throw ValidationError("give image files or folders, - to read paths from standard input, or --files-from FILE") }
        if paths.filter({ $0 == "-" }).count + (filesFrom == "-" ? 1 : 0) > 1 {
            throw ValidationError("standard input can be read once: give - or --files-from - once")
        }
        if resume && outputFile == nil { throw ValidationError("--resume needs --output FILE: the file to resume") }
        if resume && overwrite { throw ValidationError("--resume keeps --output, --overwrite replaces it: give one") }
        if let output, let html, output == html { throw ValidationError("--output and --html must be different files") }
        if let meta, meta == output || meta == html { throw ValidationError("--meta must be a file of its own") }
        if let model { try ModelArgument.checkRunnable(model, presets: true) }
    }

    /// `--output`, unless it is standard output.
    private var outputFile: String? { output == "-" ? nil : output }

    func run() throws {
        let start = DispatchTime.now().uptimeNanoseconds
        // A file-size limit must come back as an error from write(), not kill the run mid-line.
        signal(SIGXFSZ, SIG_IGN)
        let discovery = try ClassifyInputs.discover(
            PathList.expand(paths, filesFrom: filesFrom, nulSeparated: nulSeparated),
            include: include, hidden: hidden)
        guard !discovery.paths.isEmpty else {
            let found: String = discovery.skippedSummary.map { "(\($0))" } ?? "(no files)"
            let taken: String = ClassifyInputs.extensions.sorted().map { "." + $0 }.joined(separator: " ")
            let globs: String = include.isEmpty ? "" : " and --include \(include.joined(separator: " "))"
            throw CommandFailure(
                .fatal,
                "no images to classify in \(paths.joined(separator: " ")) \(found); "
                    + "taken: \(taken)\(globs), other names with --include GLOB")
        }
        var inputs = discovery.paths
        if let shard { inputs = shard.select(inputs) }
        let pathWidth = inputs.map(\.count).max() ?? 0
        let done = try resume ? BatchResume.completedPaths(in: outputFile!, format: format, inputs: inputs) : []
        let pending = inputs.filter { !done.contains($0) }
        let skipped = inputs.count - pending.count

        // Everything that can fail without the network fails before it is loaded.
        if !resume && !overwrite {
            for existing in [outputFile, html].compactMap({ $0 }) { try Self.refuseToReplace(existing) }
        }
        let sink = try outputFile.map { try BatchOutput(path: $0, append: resume) } ?? .standardOutput()
        let report = try html.map { try ClassifyHTMLReport(path: $0, images: inputs.count, resume: resume) }
        let metaSink = try meta.map { try BatchOutput(path: $0, append: false) }
        guard !pending.isEmpty else {
            if let skipped = discovery.skippedSummary { Self.say(skipped) }
            Self.summary(ClassifyPipeline.Tally(), skipped: skipped, seconds: 0, output: outputFile)
            return
        }

        let requested = try presetRequested()
        let checkpoint = try Network.readCheckpoint(weights)
        let network = try Network(
            checkpoint: checkpoint, path: weights, stateDictKey: stateDict, architecture: requested?.model ?? model,
            transformInput: transformInput, threads: threads)
        let topK = topk ?? min(5, network.classes)
        guard topK <= network.classes else {
            throw CommandFailure(.fatal, "--topk \(topK) is more than the \(network.classes) classes of \(weights)")
        }
        let (basePreset, presetSource) = try ImageClassifier.preset(weights: weights, architecture: network.architecture.name, requested: requested)
        let preset = try preprocessing.apply(to: basePreset, channels: network.inputChannels)
        let classLabels: ClassLabels
        do {
            classLabels = try ClassLabels.resolve(
                file: labels, checkpoint: try checkpoint.classNames().map { ($0.key, $0.names) },
                classes: network.classes)
        } catch let error as CheckpointError {
            throw CommandFailure(.fatal, "\(weights): \(error)")
        }
        let preprocessor = ImagePreprocessor(preset: preset, decoder: ImageDecoder(maxPixels: maxPixels))
        let size = preprocessor.outputSize
        try BatchMemory.check(
            batch: min(batchSize, pending.count),
            perImage: try BatchMemory.bytesPerImage(network, height: size.height, width: size.width), flag: "--batch-size",
            height: size.height, width: size.width)
        let description = RunDescription(
            architecture: network.architecture.name, detected: model == nil, transformInput: network.architecture.transformInput,
            weights: weights, stateDict: network.stateDictChoice?.description,
            classes: network.classes, inputChannels: network.inputChannels, preset: preset, presetSource: presetSource,
            overrides: preprocessing.given, labels: classLabels, threads: network.threads)
        if let outputFile {
            let record = ResumeRecord(run: description, weightsDigest: try ResumeRecord.sha256(ofFile: weights), topK: topK, format: format)
            if resume, sink.length > 0, let earlier = try ResumeRecord.read(beside: outputFile), let difference = record.difference(from: earlier) {
                throw CommandFailure(.fatal, "--resume \(outputFile): \(difference); resume with the earlier run's settings, or write a new --output")
            }
            try record.write(beside: outputFile)
        }
        if sink.length == 0, let header = format.header(topK: topK) { try sink.write(header) }
        if !quiet { description.announce() }
        // After the line saying what was chosen, which stays the first.
        if let skipped = discovery.skippedSummary { Self.say(skipped) }
        try metaSink?.write(description.json + "\n")
        try report?.describe(run: description)
        let pipeline = ClassifyPipeline(
            network: network,
            preprocessor: preprocessor,
            labels: classLabels.names,
            topK: topK, batchSize: batchSize,
            workers: workers ?? ProcessInfo.processInfo.activeProcessorCount,
            format: format, pathWidth: pathWidth, output: sink, report: report,
            progress: quiet ? nil : BatchProgress(total: pending.count, interval: progressInterval))
        let tally = try pipeline.run(pending)
        Self.summary(tally, skipped: skipped, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, output: outputFile)
        if tally.failed > 0 { throw ExitStatus.someInputsFailed.exit }
    }

    /// Refuses to write over a non-empty file the user did not say to replace or resume.
    private static func refuseToReplace(_ path: String) throws {
        var status = stat()
        guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG, status.st_size > 0 else { return }
        throw CommandFailure(.fatal, "\(path) already exists (\(status.st_size) bytes); --resume continues it, --overwrite replaces it")
    }

    /// The preset `--model` names, or nil without `--model`.
    private func presetRequested() throws -> PreprocessingPreset? {
        guard let model else { return nil }
        guard let preset = PreprocessingPreset.named(model) else {
            throw ValidationError("--model \(model): no torchvision preprocessing preset by that name")
        }
        return preset
    }

    /// The closing line on standard error, whatever the output; the rate counts classified images only.
    private static func summary(_ tally: ClassifyPipeline.Tally, skipped: Int, seconds: Double, output: String?) {
        var line = "classified \(tally.classified) image\(tally.classified == 1 ? "" : "s"), \(tally.failed) failed"
        if skipped > 0 { line += ", \(skipped) skipped (already in \(output ?? "the output"))" }
        if seconds > 0 && tally.classified + tally.failed > 0 {
            line += String(format: " in %.1f s (%.1f img/s)", seconds, Double(tally.classified) / seconds)
        }
        say(line)
    }

    private static func say(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
