import Foundation
import PthCheckpoint
import PthModels
import PthRuntime
import PthVision

/// A checkpoint's classifier ready for image files: the network, the preprocessing its weights were
/// trained with, and the class names — what `pth classify` uses, as one value a Swift program keeps.
///
/// ```swift
/// let classifier = try ImageClassifier(contentsOf: "pets.pth")
/// for prediction in try classifier.classify(imageAt: "cat.jpg", topK: 3) {
///     print(prediction.label, prediction.probability)
/// }
/// ```
///
/// Thread-safe and reusable: every method may be called from any thread; network runs are serialised
/// (see `Network`), decoding and preprocessing are not.
public final class ImageClassifier: Sendable {
    /// How to build a classifier when the checkpoint alone does not say enough.
    public struct Configuration: Sendable {
        /// An architecture (`resnet50`) or architecture and torchvision weights (`resnet50.IMAGENET1K_V2`);
        /// nil detects the architecture from the checkpoint's keys and shapes.
        public var architecture: String?
        /// Class names in index order; nil takes the checkpoint's own (`class_to_idx`, `classes`, …), then
        /// ImageNet's for a 1000-class head.
        public var labels: [String]?
        /// The preprocessing; nil takes the architecture's torchvision preset (grayscale for a network
        /// whose first conv takes one channel).
        public var preset: PreprocessingPreset?
        /// Dotted path of the state dict to use in a checkpoint holding several (`ema`, `generator`); nil
        /// lets `Checkpoint.selectStateDict` find it.
        public var stateDictKey: String?
        /// Inception v3's and GoogLeNet's `transform_input` (see `Architecture.transformInput`): nil keeps
        /// it on, as torchvision's pretrained weights have it; false for a network built with `weights=None`.
        public var transformInput: Bool?
        /// Cores a network run uses (default: every processor).
        public var threads: Int?
        /// Images with more pixels than this are refused (PIL's decompression-bomb limit by default).
        public var maxPixels: Int

        /// A configuration; every argument is optional.
        public init(
            architecture: String? = nil, labels: [String]? = nil, preset: PreprocessingPreset? = nil, stateDictKey: String? = nil,
            transformInput: Bool? = nil, threads: Int? = nil, maxPixels: Int = ImageDecoder.defaultMaxPixels
        ) {
            self.architecture = architecture
            self.transformInput = transformInput
            self.stateDictKey = stateDictKey
            self.labels = labels
            self.preset = preset
            self.threads = threads
            self.maxPixels = maxPixels
        }
    }

    /// The network the weights were built into.
    public let network: Network
    /// Decoding and preprocessing, as torchvision's preset transform does on PIL's image.
    public let preprocessor: ImagePreprocessor
    /// The class names and where they came from.
    public let labels: ClassLabels
    /// Where the preset came from: `configuration`, the weights' file name, or the architecture.
    public let presetSource: String

    /// Reads the checkpoint at `path` and builds its classifier. Throws `ModelError` for an unusable
    /// checkpoint, `ImageError` for names that do not fit the network.
    public init(contentsOf path: String, configuration: Configuration = Configuration()) throws {
        let requested = try configuration.architecture.map { name -> PreprocessingPreset in
            guard let preset = PreprocessingPreset.named(name) else { throw ModelError(name, "no architecture or torchvision weights by that name") }
            return preset
        }
        let checkpoint = try Network.readCheckpoint(path)
        network = try Network(
            checkpoint: checkpoint, path: path, stateDictKey: configuration.stateDictKey, architecture: requested?.model,
            transformInput: configuration.transformInput, threads: configuration.threads)
        let preset: PreprocessingPreset
        if let given = configuration.preset {
            (preset, presetSource) = (given, "configuration")
        } else {
            let (found, source) = try ImageClassifier.preset(weights: path, architecture: network.architecture.name, requested: requested)
            preset = ImageClassifier.fitting(found, channels: network.inputChannels)
            presetSource = source
        }
        guard preset.color.channels == network.inputChannels else {
            throw ModelError(path, "the network takes \(network.inputChannels)-channel images, the preset makes \(preset.color.channels)")
        }
        if let problem = preset.problem { throw ModelError(path, "preprocessing: \(problem)") }
        preprocessor = ImagePreprocessor(preset: preset, decoder: ImageDecoder(maxPixels: configuration.maxPixels))
        let carried: (key: String, names: [String])?
        do {
            carried = try checkpoint.classNames().map { ($0.key, $0.names) }
        } catch let error as CheckpointError {
            throw ModelError(path, error.description)
        }
        let classes = network.classes
        labels =
            try configuration.labels.map { names in
                guard names.count == classes else {
                    throw ImageError(path: "labels", message: "gives \(names.count) class names, but the network has \(classes) classes")
                }
                return ClassLabels(names: names, source: "configuration")
            } ?? ClassLabels.resolve(file: nil, checkpoint: carried, classes: classes)
    }

    private init(network: Network, preprocessor: ImagePreprocessor, labels: ClassLabels, presetSource: String) {
        self.network = network
        self.preprocessor = preprocessor
        self.labels = labels
        self.presetSource = presetSource
    }

    /// The same network and names with another preprocessing (the network is shared, not rebuilt), e.g.
    /// the preset with a user's changes; `preset` must make as many channels as the network takes.
    public func preprocessing(_ preset: PreprocessingPreset, source: String) throws -> ImageClassifier {
        guard preset.color.channels == network.inputChannels else {
            throw ModelError(network.architecture.name, "the network takes \(network.inputChannels)-channel images, the preset makes \(preset.color.channels)")
        }
        if let problem = preset.problem { throw ModelError(network.architecture.name, "preprocessing: \(problem)") }
        return ImageClassifier(
            network: network, preprocessor: ImagePreprocessor(preset: preset, decoder: preprocessor.decoder),
            labels: labels, presetSource: source)
    }

    /// The preset for an architecture and why: the one `requested`; else that of the weights' file name
    /// when it is a torchvision checkpoint of the same model (IMAGENET1K_V2 weights get their own preset);
    /// else the architecture's original weights' preset (or its default, for those torchvision has none of).
    public static func preset(weights: String, architecture: String, requested: PreprocessingPreset?) throws -> (PreprocessingPreset, String) {
        if let requested { return (requested, "--model") }
        if let byFile = PreprocessingPreset.named(weights), byFile.model == architecture { return (byFile, "the weights' file name") }
        if let byModel = PreprocessingPreset.named(architecture) { return (byModel, "the architecture's") }
        throw ModelError(weights, "no preprocessing preset for architecture \(architecture); state the preprocessing")
    }

    /// `preset` made for `channels` image channels: a 1-channel network takes grayscale, with a 3-value
    /// mean and std reduced to their luma weighting (0.299, 0.587, 0.114) — the value an RGB mean has as a
    /// gray level; a 3-channel network takes RGB.
    public static func fitting(_ preset: PreprocessingPreset, channels: Int) -> PreprocessingPreset {
        var fitted = preset
        if channels == 1 {
            fitted.color = .grayscale
            let luma = { (values: [Float]) in values.count == 3 ? [0.299 * values[0] + 0.587 * values[1] + 0.114 * values[2]] : values }
            fitted.mean = luma(preset.mean)
            fitted.std = luma(preset.std)
        } else if preset.color == .grayscale {
            fitted.color = .rgb
        }
        return fitted
    }

    /// The `topK` most probable classes of the image file at `path`.
    public func classify(imageAt path: String, topK: Int = 5) throws -> [Prediction] {
        predictions(logits: try logits(for: [preprocessor.decoder.decode(contentsOf: path)]), topK: topK)[0]
    }

    /// The `topK` most probable classes of an image file's bytes (JPEG, PNG, …); `name` names it in errors.
    public func classify(imageData bytes: [UInt8], name: String = "image", topK: Int = 5) throws -> [Prediction] {
        predictions(logits: try logits(for: [preprocessor.decoder.decode(bytes, path: name)]), topK: topK)[0]
    }

    /// The top classes of each file, in order; a file that cannot be read gets its error and the rest go
    /// on. Files are decoded on `workers` threads while the network runs batches of `batchSize`.
    public func classify(
        imagesAt paths: [String], topK: Int = 5, batchSize: Int = 8, workers: Int? = nil,
        progress: ((_ done: Int, _ total: Int) -> Void)? = nil
    ) throws -> [Result<[Prediction], ImageError>] {
        try batches(paths, batchSize: batchSize, workers: workers, progress: progress) { batch in
            self.predictions(logits: try self.network.run(batch), topK: topK)
        }
    }

    /// `classify(imagesAt:…)` without blocking the caller; `progress` is called after every batch.
    public func classify(
        imagesAt paths: [String], topK: Int = 5, batchSize: Int = 8,
        progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil
    ) async throws -> [Result<[Prediction], ImageError>] {
        try await Task.detached { [self] in try classify(imagesAt: paths, topK: topK, batchSize: batchSize, progress: progress) }.value
    }

    /// The embedding (`Network.embed`) of the image file at `path`: `network.embeddingSize` features.
    public func embedding(imageAt path: String) throws -> [Float] {
        try network.embed(try tensor(for: [preprocessor.decoder.decode(contentsOf: path)])).values
    }

    /// The embedding of each file, in order; a file that cannot be read gets its error and the rest go on.
    public func embeddings(
        imagesAt paths: [String], batchSize: Int = 8, workers: Int? = nil,
        progress: ((_ done: Int, _ total: Int) -> Void)? = nil
    ) throws -> [Result<[Float], ImageError>] {
        let size = network.embeddingSize
        return try batches(paths, batchSize: batchSize, workers: workers, progress: progress) { batch in
            let features = try self.network.embed(batch).values
            return (0..<batch.shape[0]).map { Array(features[$0 * size..<($0 + 1) * size]) }
        }
    }

    /// Runs `body` on each batch of readable images (a `[n, C, H, W]` map) and spreads its per-image
    /// results back over the inputs, errors in place of the unreadable ones.
    private func batches<Output>(
        _ paths: [String], batchSize: Int, workers: Int?, progress: ((Int, Int) -> Void)?,
        _ body: (FeatureMap) throws -> [Output]
    ) throws -> [Result<Output, ImageError>] {
        guard !paths.isEmpty else { return [] }
        let loader = ImageBatchLoader(
            paths: paths, preprocessor: preprocessor, batchSize: max(batchSize, 1),
            workers: max(workers ?? ProcessInfo.processInfo.activeProcessorCount, 1))
        defer { loader.cancel() }
        let size = preprocessor.outputSize
        var results: [Result<Output, ImageError>] = []
        results.reserveCapacity(paths.count)
        while let batch = loader.next() {
            var outputs =
                batch.count > 0
                ? try body(FeatureMap(shape: [batch.count, preprocessor.channels, size.height, size.width], values: batch.values))[...]
                : []
            for outcome in batch.outcomes {
                switch outcome {
                case .success: results.append(.success(outputs.removeFirst()))
                case .failure(let error): results.append(.failure(error))
                }
            }
            progress?(results.count, paths.count)
        }
        return results
    }

    private func tensor(for images: [RGBImage]) -> FeatureMap {
        let size = preprocessor.outputSize
        return FeatureMap(
            shape: [images.count, preprocessor.channels, size.height, size.width],
            values: images.flatMap { preprocessor.tensor(for: $0) })
    }

    private func logits(for images: [RGBImage]) throws -> FeatureMap {
        try network.run(tensor(for: images))
    }

    private func predictions(logits: FeatureMap, topK: Int) -> [[Prediction]] {
        let classes = network.classes
        return (0..<logits.shape[0]).map { Prediction.top(topK, logits: logits.values[$0 * classes..<($0 + 1) * classes], labels: labels.names) }
    }
}
