import Foundation

/// One ranked class of an image: its index in the network's output, its name, and its softmax probability.
public struct Prediction: Sendable, Equatable {
    /// The class's index among the network's logits.
    public var index: Int
    /// The class's name (`class N` when none is known).
    public var label: String
    /// Softmax probability over all classes, computed in double precision.
    public var probability: Double

    /// A prediction of class `index` named `label` with `probability`.
    public init(index: Int, label: String, probability: Double) {
        self.index = index
        self.label = label
        self.probability = probability
    }

    /// The `k` most probable classes of one row of logits, best first; ties go to the lower index, as
    /// `torch.topk` on CPU returns them. `labels` names the classes (missing names become `class N`).
    public static func top(_ k: Int, logits: ArraySlice<Float>, labels: [String]) -> [Prediction] {
        let maximum = Double(logits.max() ?? 0)
        // Softmax in double: the shift by the maximum keeps exp in range, the sum keeps its digits.
        let sum = logits.reduce(0.0) { $0 + exp(Double($1) - maximum) }
        let ranked = logits.indices.sorted { logits[$0] != logits[$1] ? logits[$0] > logits[$1] : $0 < $1 }
        return ranked.prefix(k).map { position in
            let index = position - logits.startIndex
            return Prediction(
                index: index, label: index < labels.count ? labels[index] : "class \(index)",
                probability: exp(Double(logits[position]) - maximum) / sum)
        }
    }
}
