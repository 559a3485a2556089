import PthFoundation

/// A failure to read a checkpoint, saying what went wrong and where
/// (`data.pkl offset 1832: BINGET 41 but memo has 12 entries`).
public struct CheckpointError: PthError, Sendable, Equatable {
    /// Where the problem is: an archive member, a byte offset, a tensor name.
    public let location: String
    /// What is wrong there.
    public let message: String

    /// An error at `location` saying `message`.
    public init(_ location: String, _ message: String) {
        self.location = location
        self.message = message
    }
}
