/// Dotted paths into a checkpoint's object tree (`model.layer1.0.conv1.weight`, `optimizer.state.0.momentum_buffer`):
/// dict keys, list and tuple indices, and the attributes of an opaque object's state; a module saved
/// whole is entered by its state-dict names. The walks are iterative, stop at `maximumDepth`, and visit
/// at most `RecursionBudget.maximumPathNodes` containers and tensors (a shared container is walked once
/// per path that reaches it, so a small file can describe an exponentially large tree); numbers,
/// strings and other leaves are not visited.
enum TensorTree {
    static let maximumDepth = RecursionBudget.maximumDepth

    /// Every tensor in the tree with its dotted path, in tree order.
    static func tensors(_ root: PickleValue, _ scriptClasses: [String: ScriptClass]) throws -> [(path: String, tensor: Tensor)] {
        var out: [(path: String, tensor: Tensor)] = []
        try walk(root) { path, value, budget in
            if case .tensor(let tensor) = value {
                out.append((try path(), tensor))
                return false
            }
            guard ModuleTree.moduleClass(value, scriptClasses) != nil else { return true }
            let prefix = try path()
            let entries = try ModuleTree.stateDict(value, scriptClasses, at: prefix, budget: budget) ?? []
            try budget.visit(count: entries.count * prefix.utf8.count / 64, at: prefix)
            out += entries.map { (join(prefix, $0.name), $0.tensor) }
            return false
        }
        return out
    }

    /// The dicts of tensors (not empty) and modules in the tree, with their number of tensors.
    static func candidates(_ root: PickleValue, _ scriptClasses: [String: ScriptClass]) throws -> [(path: String, value: PickleValue, tensors: Int)] {
        var out: [(path: String, value: PickleValue, tensors: Int)] = []
        try walk(root) { path, value, budget in
            let entries: [StateDict.Entry]
            if let dict = Checkpoint.tensorDict(value) {
                entries = dict
            } else if ModuleTree.moduleClass(value, scriptClasses) != nil {
                entries = try ModuleTree.stateDict(value, scriptClasses, at: try path(), budget: budget) ?? []
            } else {
                return true
            }
            if !entries.isEmpty { out.append((try path(), value, entries.count)) }
            return false
        }
        return out
    }

    /// The value at dotted `path`; a key that itself holds dots is matched whole, longest first.
    static func value(in root: PickleValue, at path: String) throws -> PickleValue? {
        var value = root
        var rest = Substring(path)
        while true {
            // The child whose key is the longest prefix of `rest` that ends at a dot or at the end.
            var best: (value: PickleValue, length: Int)?
            for child in children(value) where rest.hasPrefix(child.key) && child.key.count > (best?.length ?? -1) {
                let end = rest.index(rest.startIndex, offsetBy: child.key.count)
                if end == rest.endIndex || rest[end] == "." { best = (child.value, child.key.count) }
            }
            guard let best else { return nil }
            value = best.value
            if best.length == rest.count { return value }
            rest = rest.dropFirst(best.length + 1)
        }
    }

    /// Visits every container, tensor and object depth first, in order; `visit` gets a function that
    /// builds the node's dotted path (paths are built only when asked for) and the walk's budget, and
    /// returns whether to enter the node's children. Every child named counts against the budget when
    /// it is named, so neither the visits nor the pending list can outgrow it.
    private static func walk(_ root: PickleValue, _ visit: (_ path: () throws -> String, PickleValue, RecursionBudget) throws -> Bool) throws {
        let budget = RecursionBudget(nodeLimit: RecursionBudget.maximumPathNodes)
        var steps: [(parent: Int, key: String)] = []
        var pending: [(step: Int, value: PickleValue, depth: Int)] = [(-1, root, 0)]
        try budget.visit(at: "the top level")
        while let (step, value, depth) = pending.popLast() {
            let path = { try dottedPath(step, steps, budget) }
            guard try visit(path, value, budget) else { continue }
            let inner = children(value, walkableOnly: true)
            if inner.isEmpty { continue }
            guard depth < maximumDepth else {
                throw CheckpointError(shortened(try path()), "objects nested deeper than \(maximumDepth) levels")
            }
            try budget.visit(count: inner.count, at: shortened(try path()))
            for child in inner.reversed() {
                steps.append((step, child.key))
                pending.append((steps.count - 1, child.value, depth + 1))
            }
        }
    }

    /// A path short enough for a one-line error: its first 60 and last 120 characters around an ellipsis.
    static func shortened(_ path: String) -> String {
        path.count <= 200 ? path : "\(path.prefix(60))…\(path.suffix(120))"
    }

    /// The dotted path of `step` (`""` for the root); a path is charged to the budget by its length
    /// (one node per 64 bytes), so keys repeated down a deep tree cannot build unbounded strings.
    private static func dottedPath(_ step: Int, _ steps: [(parent: Int, key: String)], _ budget: RecursionBudget) throws -> String {
        var keys: [String] = []
        var length = 0
        var index = step
        while index >= 0 {
            keys.append(steps[index].key)
            length += steps[index].key.utf8.count + 1
            index = steps[index].parent
        }
        try budget.visit(count: length / 64, at: "a path \(length) bytes long")
        return keys.reversed().joined(separator: ".")
    }

    /// Whether a walk has anything to find in `value`: a container, a tensor or an object.
    private static func isWalkable(_ value: PickleValue) -> Bool {
        switch value {
        case .list, .tuple, .dict, .set, .tensor, .opaque: return true
        case .none, .bool, .int, .bigInt, .float, .string, .bytes, .storage: return false
        }
    }

    /// The named children of a container: dict entries by key, list and tuple items by index, an opaque
    /// object's state; with `walkableOnly`, only those `isWalkable` (leaves are skipped before they are named).
    private static func children(_ value: PickleValue, walkableOnly: Bool = false) -> [(key: String, value: PickleValue)] {
        let keep = { (child: PickleValue) in !walkableOnly || isWalkable(child) }
        switch value {
        case .dict(let entries):
            return entries.lazy.filter { keep($0.value) }.map { (key(of: $0.key), $0.value) }
        case .list(let items), .tuple(let items):
            return items.indices.lazy.filter { keep(items[$0]) }.map { (String($0), items[$0]) }
        case .opaque(let object):
            guard let state = object.state, keep(state) else { return [] }
            if case .dict(let entries) = state { return entries.lazy.filter { keep($0.value) }.map { (key(of: $0.key), $0.value) } }
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
