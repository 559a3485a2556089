import PthFoundation

/// Why an image file could not be read, with the file it concerns; prints as one line.
public struct ImageError: PthError, Sendable, Equatable {
    /// The file (or other source name) the error is about.
    public let path: String
    /// What went wrong, in one line.
    public let message: String

    /// An error about `path`.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// The file.
    public var location: String { path }
}
