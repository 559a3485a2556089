/// Removes `dropout` nodes (dropout and stochastic depth are the identity in eval mode).
public struct DropDropout: GraphPass {
    public var name: String { "DropDropout" }

    public init() {}

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
