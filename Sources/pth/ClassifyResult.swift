import PthClassifier

/// What `pth classify` says about one input file: its top-k classes, or why it could not be read.
struct ClassifyResult {
    /// The file, as discovered (relative paths stay relative).
    var path: String
    /// The top classes, best first; empty when `error` is set.
    var top: [Prediction]
    /// Why the file could not be classified, in one line.
    var error: String?
}
