/// The shape of every swift-pth error, whatever layer raised it: what went wrong and where, printed
/// as one line `where: what` (`data.pkl offset 1832: BINGET 41 but memo has 12 entries`).
///
/// Each layer keeps its own conforming type (`CheckpointError`, `GraphError`, `ModelError`,
/// `RuntimeError`, `ImageError`, `NpyArray.Error`), so a caller can catch one layer's errors by type,
/// or any of them as `PthError`.
public protocol PthError: Error, CustomStringConvertible {
    /// Where: an archive member and offset, a state-dict key, a graph node, a file; empty when the
    /// message names its place itself.
    var location: String { get }
    /// What is wrong there, in one line.
    var message: String { get }
}

extension PthError {
    /// `location: message`, or the message alone when there is no location.
    public var description: String { location.isEmpty ? message : "\(location): \(message)" }
}
