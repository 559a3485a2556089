/// Removes `dropout` nodes (dropout and stochastic depth are the identity in eval mode).
public struct DropDropout: GraphPass {
    /// `"DropDropout"`.
    public var name: String { "DropDropout" }

    /// The pass; it has no options.
    public init() {}

    /// The rewritten graph; throws `GraphError` naming a node whose inputs or shapes do not fit.
    public func apply(to graph: consuming Graph) throws -> Graph {
        let graph = graph
        var rewrite = GraphRewrite(graph)
        for (index, node) in graph.nodes.enumerated() {
            let value = ValueID(index)
            if case .dropout = node.op {
                guard node.inputs.count == 1 else {
                    throw GraphError(node: node.name, "dropout takes 1 input, given \(node.inputs.count)")
                }
                rewrite.absorb(value, into: node.inputs[0])
            } else {
                rewrite.emit(value)
            }
        }
        return rewrite.finish()
    }
}
