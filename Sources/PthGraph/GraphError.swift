/// A graph that cannot be frozen or run as given: says which node and why, in one line.
public struct GraphError: Error, CustomStringConvertible, Equatable {
    /// The offending node's module path (`layer3.4.conv2`), or a pass name for graph-wide problems.
    public let node: String
    public let message: String

    public init(node: String, _ message: String) {
        self.node = node; self.message = message
    }

    public var description: String { "\(node): \(message)" }
}
