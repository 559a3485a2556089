/// Copies a graph node by node into a new one, remapping value ids, so a pass only says what changes.
///
/// A node either is emitted (possibly with a new op) or is absorbed: its value becomes another
/// already emitted value, which is how dropped and fused nodes keep taps and the output correct.
struct GraphRewrite {
    let source: Graph
    private(set) var result = Graph()
    private var mapping: [ValueID?]

    init(_ source: Graph) {
        self.source = source
        mapping = Array(repeating: nil, count: source.nodes.count)
    }

    /// The new value standing for `old`.
    func mapped(_ old: ValueID) -> ValueID {
        guard let new = mapping[old.index] else {
            preconditionFailure("\(source[old].name): used before it was rewritten")
        }
        return new
    }

    /// Emits `old`'s node, with `op` replacing its op and `inputs` (values of the source graph) its
    /// inputs when given.
    mutating func emit(_ old: ValueID, op: Op? = nil, inputs: [ValueID]? = nil) {
        let node = source[old]
        mapping[old.index] = result.add(op ?? node.op, (inputs ?? node.inputs).map(mapped), name: node.name)
    }

    /// Makes `old` stand for the value already emitted for `target`.
    mutating func absorb(_ old: ValueID, into target: ValueID) {
        mapping[old.index] = mapped(target)
    }

    /// The rewritten graph, with the output and taps carried over.
    func finish() -> Graph {
        var graph = result
        graph.output = source.output.map(mapped)
        for (name, value) in source.taps { graph.tap(mapped(value), as: name) }
        return graph
    }
}

extension Graph {
    /// For every value, the indices of the nodes that consume it (once per use).
    func consumers() -> [[Int]] {
        var result = Array(repeating: [Int](), count: nodes.count)
        for (index, node) in nodes.enumerated() {
            for input in node.inputs { result[input.index].append(index) }
        }
        return result
    }

    /// Values that are observable from outside: the output and the taps. A pass may not
    /// change what they compute, so it must not fuse anything into them from behind.
    func observedValues() -> Set<ValueID> {
        var values = Set(taps.values)
        if let output { values.insert(output) }
        return values
    }

    /// Whether `value` is consumed only by node `consumer` and is not observed.
    func feedsOnly(_ value: ValueID, into consumer: Int, consumers: [[Int]], observed: Set<ValueID>) -> Bool {
        consumers[value.index] == [consumer] && !observed.contains(value)
    }
}
