/// The state dict of a module saved whole: `torch.save(model)` pickles an nn.Module as an object of
/// its class (inert here, an `OpaqueObject`) whose state is its `__dict__`; `torch.jit.save` pickles
/// a TorchScript module as an object whose state holds its attributes, with the parameter and buffer
/// names declared in the archive's `code/`.
///
/// The walk follows `nn.Module.state_dict()`: a module's parameters (None skipped), then its buffers
/// (None and `_non_persistent_buffers_set` skipped), then each child's, depth first, under dotted
/// names. TorchScript keeps every declared buffer, as `torch.jit.load(…).state_dict()` does.
/// It is iterative, and refuses modules nested deeper than `maximumDepth` or a tree of more than
/// `RecursionBudget.maximumPathNodes` modules (a module shared by two parents is walked under both names).
enum ModuleTree {
    static let maximumDepth = RecursionBudget.maximumDepth

    /// The class name of `value` if it is a module saved whole (pickled or TorchScript).
    static func moduleClass(_ value: PickleValue, _ scriptClasses: [String: ScriptClass]) -> String? {
        guard case .opaque(let object) = value else { return nil }
        if scriptClasses[object.name] != nil { return object.name }
        guard let state = object.state, state["_parameters"]?.dictEntries != nil,
            state["_buffers"]?.dictEntries != nil, state["_modules"]?.dictEntries != nil
        else { return nil }
        return object.name
    }

    /// The module's tensors with `state_dict()`'s names; nil when `value` is not a module. Each module
    /// costs `budget` one node, one per member, and one per 64 bytes of the names it builds.
    static func stateDict(
        _ value: PickleValue, _ scriptClasses: [String: ScriptClass], at path: String,
        budget: RecursionBudget = RecursionBudget(nodeLimit: RecursionBudget.maximumPathNodes)
    ) throws -> [StateDict.Entry]? {
        guard moduleClass(value, scriptClasses) != nil else { return nil }
        var entries: [StateDict.Entry] = []
        var pending: [(prefix: String, module: OpaqueObject, depth: Int)] = []
        if case .opaque(let root) = value { pending.append(("", root, 0)) }
        while let (prefix, module, depth) = pending.popLast() {
            let location = { TensorTree.shortened(path.isEmpty ? (prefix.isEmpty ? "the top level" : prefix) : "\(path).\(prefix)") }
            guard depth < maximumDepth else {
                throw CheckpointError(location(), "modules nested deeper than \(maximumDepth) levels")
            }
            let members = scriptClasses[module.name].map { scriptMembers(module, $0) } ?? pickledMembers(module)
            // One node per member, and one per 64 bytes of the names this module's entries and children get.
            let named = members.tensors.count + members.children.count
            let bytes = named * prefix.utf8.count + (members.tensors + members.children).reduce(0) { $0 + $1.0.utf8.count }
            try budget.visit(count: 1 + named + bytes / 64, at: location())
            for (name, member) in members.tensors {
                if case .tensor(let tensor) = member { entries.append(StateDict.Entry(name: prefix + name, tensor: tensor)) }
            }
            for (name, child) in members.children.reversed() {
                guard case .opaque(let object) = child, moduleClass(child, scriptClasses) != nil else { continue }
                pending.append(("\(prefix)\(name).", object, depth + 1))
            }
        }
        return entries
    }

    /// Parameters then persistent buffers, and the children, of a pickled nn.Module's `__dict__`.
    private static func pickledMembers(_ module: OpaqueObject) -> (tensors: [(String, PickleValue)], children: [(String, PickleValue)]) {
        let state = module.state
        let transient = Set(setItems(state?["_non_persistent_buffers_set"]).compactMap(\.stringValue))
        let parameters = named(state?["_parameters"]?.dictEntries ?? [])
        let buffers = named(state?["_buffers"]?.dictEntries ?? []).filter { !transient.contains($0.0) }
        return (parameters + buffers, named(state?["_modules"]?.dictEntries ?? []))
    }

    /// Declared parameters then buffers, and every attribute (children are those that are modules), of a TorchScript object.
    private static func scriptMembers(_ module: OpaqueObject, _ declaration: ScriptClass) -> (
        tensors: [(String, PickleValue)], children: [(String, PickleValue)]
    ) {
        let attributes = named(module.state?.dictEntries ?? [])
        let values = Dictionary(attributes, uniquingKeysWith: { first, _ in first })
        let tensors = (declaration.parameters + declaration.buffers).compactMap { name in values[name].map { (name, $0) } }
        return (tensors, attributes)
    }

    private static func named(_ entries: [(key: PickleValue, value: PickleValue)]) -> [(String, PickleValue)] {
        entries.compactMap { entry in entry.key.stringValue.map { ($0, entry.value) } }
    }

    private static func setItems(_ value: PickleValue?) -> [PickleValue] {
        switch value {
        case .set(let items)?, .list(let items)?, .tuple(let items)?: return items
        default: return []
        }
    }
}
