import PthFoundation

/// A run that cannot start: bad input or an unknown tap. Says what and where in one line.
public struct RuntimeError: PthError, Sendable, Equatable {
    /// What is wrong, naming the input or tap it concerns.
    public let message: String

    /// An error saying `message`.
    public init(_ message: String) { self.message = message }

    /// None: the message names the input or the tap.
    public var location: String { "" }
}
