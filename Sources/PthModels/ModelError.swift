import PthFoundation

/// A checkpoint that does not fit an architecture, an unknown architecture name, or a batch a
/// network cannot take. Says what and where in one line
/// (`features.3.1.block.2.fc1.weight: checkpoint has [10, 96, 1, 1], efficientnet_b0 expects [4, 96, 1, 1]`).
public struct ModelError: PthError, Sendable, Equatable {
    /// Where: a state-dict key, an architecture name, `input`.
    public let location: String
    /// What is wrong there.
    public let message: String

    /// An error at `location`.
    public init(_ location: String, _ message: String) {
        self.location = location
        self.message = message
    }
}
