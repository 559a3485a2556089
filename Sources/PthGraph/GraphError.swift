import PthFoundation

/// A graph that cannot be frozen or run as given: says which node and why, in one line.
public struct GraphError: PthError, Sendable, Equatable {
    /// The offending node's module path (`layer3.4.conv2`), or a pass name for graph-wide problems.
    public let node: String
    /// What is wrong there.
    public let message: String

    /// An error at `node` saying `message`.
    public init(node: String, _ message: String) {
        self.node = node; self.message = message
    }

    /// The node.
    public var location: String { node }
}
