import Foundation
import PthClassifier
import PthModels
import PthRuntime
import PthVision

/// The classify loop: worker threads decode and preprocess ahead (`ImageBatchLoader`) while this
/// thread runs the network on the previous batch, then writes that batch's lines in input order.
struct ClassifyPipeline {
    var network: Network
    var preprocessor: ImagePreprocessor
    var labels: [String]
    var topK: Int
    var batchSize: Int
    var workers: Int
    var format: ClassifyFormat
    var pathWidth: Int
    var output: BatchOutput
    var report: ClassifyHTMLReport?
    var progress: BatchProgress?

    /// Counts of what happened to the inputs.
    struct Tally {
        var classified = 0
        var failed = 0
    }

    /// Classifies `paths`, writing each batch before the next is run.
    func run(_ paths: [String]) throws -> Tally {
        let thumbnails = report != nil
        let loader = ImageBatchLoader<[UInt8]?>(paths: paths, preprocessor: preprocessor, batchSize: batchSize, workers: workers) { image in
            // A thumbnail that cannot be made only leaves a blank card; the image is still classified.
            thumbnails ? (try? ClassifyHTMLReport.thumbnail(of: image)) ?? nil : nil
        }
        defer { loader.cancel() }
        let size = preprocessor.outputSize
        var tally = Tally()
        while let batch = loader.next() {
            let readable = batch.count
            var logits: [Float] = []
            if readable > 0 {
                logits = try network.run(FeatureMap(shape: [readable, preprocessor.channels, size.height, size.width], values: batch.values)).values
            }
            var results: [ClassifyResult] = []
            var row = 0
            for (path, outcome) in zip(paths[batch.indices], batch.outcomes) {
                switch outcome {
                case .success:
                    let scores = logits[(row * network.classes)..<((row + 1) * network.classes)]
                    row += 1
                    if let bad = scores.firstIndex(where: { !$0.isFinite }) {
                        // No probability can be given, and NaN has no JSON spelling: the image fails, saying why.
                        let error = "the network's logits are not finite (class \(bad - scores.startIndex): \(scores[bad]))"
                        results.append(ClassifyResult(path: path, top: [], error: error))
                        tally.failed += 1
                    } else {
                        results.append(ClassifyResult(path: path, top: Prediction.top(topK, logits: scores, labels: labels)))
                        tally.classified += 1
                    }
                case .failure(let error):
                    // The path is the line's own field; the error keeps only the reason.
                    results.append(ClassifyResult(path: path, top: [], error: error.path == path ? error.message : error.description))
                    tally.failed += 1
                }
            }
            progress?.clear()
            try output.write(results.map { format.line(for: $0, topK: topK, pathWidth: pathWidth) }.joined())
            try report?.append(results, thumbnails: batch.outcomes.map { (try? $0.get()) ?? nil })
            progress?.update(done: tally.classified + tally.failed)
        }
        progress?.finish()
        return tally
    }
}
