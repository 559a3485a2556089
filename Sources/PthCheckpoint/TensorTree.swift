/// Dotted paths into a checkpoint's object tree (`model.layer1.0.conv1.weight`, `optimizer.state.0.momentum_buffer`):
/// dict keys, list and tuple indices, and the attributes of an opaque object's state; a module saved
/// whole is entered by its state-dict names. The walks are iterative and stop at `maximumDepth`.
enum TensorTree {
    static let maximumDepth = RecursionBudget.maximumDepth

    /// Every tensor in the tree with its dotted path, in tree order.
    static func tensors(_ root: PickleValue, _ scriptClasses: [String: ScriptClass]) throws -> [(path: String, tensor: Tensor)] {
        var out: [(path: String, tensor: Tensor)] = []
        try walk(root) { path, value in
            if case .tensor(let tensor) = value {
                out.append((path, tensor))
                return false
            }
            guard let entries = try ModuleTree.stateDict(value, scriptClasses, at: path) else { return true }
            out += entries.map { (join(path, $0.name), $0.tensor) }
            return false
        }
        return out
    }

    /// The dicts of tensors (not empty) and modules in the tree, with their number of tensors.
    static func candidates(_ root: PickleValue, _ scriptClasses: [String: ScriptClass]) throws -> [(path: String, tensors: Int)] {
        var out: [(path: String, tensors: Int)] = []
        try walk(root) { path, value in
            guard let entries = try Checkpoint.tensorDict(value) ?? ModuleTree.stateDict(value, scriptClasses, at: path) else { return true }
            if !entries.isEmpty { out.append((path, entries.count)) }
            return false
        }
        return out
    }

    /// The value at dotted `path`; a key that itself holds dots is matched whole, longest first.
    static func value(in root: PickleValue, at path: String) throws -> PickleValue? {
        let steps = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        var value = root
        var index = 0
        while index < steps.count {
            guard let (next, used) = (index..<steps.count).reversed().lazy.compactMap({ end -> (PickleValue, Int)? in
                let key = steps[index...end].joined(separator: ".")
                return children(value).first { $0.key == key }.map { ($0.value, end + 1 - index) }
            }).first else { return nil }
            value = next
            index += used
        }
        return value
    }

    /// Visits every node depth first, in order; `visit` returns whether to enter the node's children.
    private static func walk(_ root: PickleValue, _ visit: (String, PickleValue) throws -> Bool) throws {
        var pending: [(path: String, value: PickleValue, depth: Int)] = [("", root, 0)]
        while let (path, value, depth) = pending.popLast() {
            guard try visit(path, value) else { continue }
            let inner = children(value)
            guard inner.isEmpty || depth < maximumDepth else {
                throw CheckpointError(path, "objects nested deeper than \(maximumDepth) levels")
            }
            pending += inner.reversed().map { (join(path, $0.key), $0.value, depth + 1) }
        }
    }

    /// The named children of a container: dict entries by key, list and tuple items by index, an opaque object's state.
    private static func children(_ value: PickleValue) -> [(key: String, value: PickleValue)] {
        switch value {
        case .dict(let entries):
            return entries.map { (key(of: $0.key), $0.value) }
        case .list(let items), .tuple(let items):
            return items.enumerated().map { (String($0.offset), $0.element) }
        case .opaque(let object):
            guard let state = object.state else { return [] }
            if case .dict(let entries) = state { return entries.map { (key(of: $0.key), $0.value) } }
            return [("state", state)]
        default:
            return []
        }
    }

    private static func key(of value: PickleValue) -> String {
        switch value {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .bool(let b): return b ? "True" : "False"
        default: return "<\(value.kindName)>"
        }
    }

    private static func join(_ path: String, _ name: String) -> String {
        path.isEmpty ? name : "\(path).\(name)"
    }
}
