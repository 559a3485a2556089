/// Identifies the value a node produces (each node produces exactly one).
public struct ValueID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Index of the producing node in `Graph.nodes`.
    public let index: Int

    /// The value of `nodes[index]`.
    public init(_ index: Int) { self.index = index }

    /// Orders values as their nodes are ordered.
    public static func < (a: ValueID, b: ValueID) -> Bool { a.index < b.index }
    /// `%index`, as graph dumps print values.
    public var description: String { "%\(index)" }
}

/// One operation applied to earlier values.
public struct Node: Sendable, Equatable {
    /// The torchvision module path that made this node (`layer3.4.conv2`), for error messages and taps.
    public var name: String
    /// What the node computes, with its frozen parameters.
    public var op: Op
    /// Values consumed, in order; always produced by earlier nodes.
    public var inputs: [ValueID]

    /// A node named `name` applying `op` to `inputs`.
    public init(name: String, op: Op, inputs: [ValueID]) {
        self.name = name; self.op = op; self.inputs = inputs
    }
}

/// A network as a typed, topologically ordered graph of nodes with one input and one output.
///
/// Builders append nodes in execution order; passes rewrite the graph into a new one.
/// `taps` name intermediate values (for example stage outputs `layer1`, `Mixed_5b`) that can be
/// read back after a run to localise a numerical mismatch.
public struct Graph: Sendable, Equatable {
    /// Nodes in execution order; `nodes[i]` produces `ValueID(i)`.
    public internal(set) var nodes: [Node] = []
    /// The value returned as the network's result (logits).
    public var output: ValueID?
    /// Named intermediate values that passes must preserve.
    public var taps: [String: ValueID] = [:]

    /// An empty graph: no nodes, no output, no taps.
    public init() {}

    /// Appends a node and returns the value it produces.
    @discardableResult
    public mutating func add(_ op: Op, _ inputs: [ValueID] = [], name: String) -> ValueID {
        precondition(inputs.allSatisfy { $0.index < nodes.count }, "\(name): input not yet defined")
        nodes.append(Node(name: name, op: op, inputs: inputs))
        return ValueID(nodes.count - 1)
    }

    /// The node producing `value`.
    public subscript(value: ValueID) -> Node { nodes[value.index] }

    /// Names `value` as a tap point.
    public mutating func tap(_ value: ValueID, as name: String) {
        taps[name] = value
    }
}
