import Foundation

/// What `pth classify` says about one input file: its top-k classes, or why it could not be read.
struct ClassifyResult {
    /// One ranked class.
    struct Prediction {
        var index: Int
        var label: String
        /// Softmax probability over all classes.
        var probability: Double
    }

    /// The file, as discovered (relative paths stay relative).
    var path: String
    /// The top classes, best first; empty when `error` is set.
    var top: [Prediction]
    /// Why the file could not be classified, in one line.
    var error: String?

    /// The `k` most probable classes of one row of logits; ties go to the lower index, as
    /// `torch.topk` on CPU returns them.
    static func predictions(logits: ArraySlice<Float>, k: Int, labels: [String]) -> [Prediction] {
        let maximum = Double(logits.max() ?? 0)
        // Softmax in double: the shift by the maximum keeps exp in range, the sum keeps its digits.
        let sum = logits.reduce(0.0) { $0 + exp(Double($1) - maximum) }
        let ranked = logits.indices.sorted { logits[$0] != logits[$1] ? logits[$0] > logits[$1] : $0 < $1 }
        return ranked.prefix(k).map { position in
            let index = position - logits.startIndex
            return Prediction(index: index, label: index < labels.count ? labels[index] : "class \(index)",
                              probability: exp(Double(logits[position]) - maximum) / sum)
        }
    }
}
