extension Checkpoint {
    /// Where `selectStateDict()` looks, in order, when the top level is neither a state dict nor a
    /// module: the keys training scripts commonly save the model's weights under.
    public static let stateDictKeys = ["state_dict", "model_state_dict", "model", "net", "ema"]

    /// The tensors the user means, with torch's names: `selectStateDict().stateDict`.
    public func stateDict() throws -> StateDict {
        try selectStateDict().stateDict
    }

    /// The state dict at the dotted path `key` (`generator`, `state.model`, `models.0`), or without a
    /// key the first of:
    ///
    /// 1. the top level, if it is a dict of tensors (`torch.save(model.state_dict())`, safetensors);
    /// 2. the top level, if it is a module saved whole (`torch.save(model)`, a TorchScript archive);
    /// 3. the first of `stateDictKeys` whose value is a dict of tensors or a module;
    /// 4. the only dict of tensors or module anywhere in the file.
    ///
    /// When every name starts with `module.` (a model wrapped in `DataParallel` when saved) that
    /// prefix is removed. When nothing fits, the error lists the file's dicts of tensors by path.
    public func selectStateDict(key: String? = nil) throws -> StateDictSelection {
        let found: (path: String, entries: [StateDict.Entry], reason: StateDictChoice.Reason)
        if let key {
            guard let value = try TensorTree.value(in: root, at: key) else {
                throw CheckpointError("state dict", "the file has nothing at \(key); \(try candidateList())")
            }
            guard let entries = try stateDictEntries(value, at: key) else {
                throw CheckpointError("state dict", "\(key) holds a \(value.kindName) value, not a dict of tensors or a module; \(try candidateList())")
            }
            found = (key, entries, .requested)
        } else if let entries = Checkpoint.tensorDict(root) {
            found = ("", entries, .topLevel)
        } else if let entries = try ModuleTree.stateDict(root, scriptClasses, at: "") {
            found = ("", entries, format == .torchScript ? .torchScript : .wholeModule)
        } else if let (key, entries) = try Checkpoint.stateDictKeys.lazy.compactMap({ key in
            try self.root[key].flatMap { try self.stateDictEntries($0, at: key) }.map { (key, $0) }
        }).first {
            found = (key, entries, .searchOrder)
        } else {
            let candidates = try TensorTree.candidates(root, scriptClasses)
            guard candidates.count == 1, let only = candidates.first, let entries = try stateDictEntries(only.value, at: only.path) else {
                throw CheckpointError(
                    "state dict",
                    "no dict of tensors or module at the top level or under \(Checkpoint.stateDictKeys.joined(separator: "/")); \(try candidateList())")
            }
            found = (only.path, entries, .onlyCandidate)
        }
        let strip = !found.entries.isEmpty && found.entries.allSatisfy { $0.name.hasPrefix("module.") }
        let entries = strip ? found.entries.map { StateDict.Entry(name: String($0.name.dropFirst("module.".count)), tensor: $0.tensor) } : found.entries
        return StateDictSelection(stateDict: StateDict(entries), choice: StateDictChoice(path: found.path, reason: found.reason, strippedModulePrefix: strip))
    }

    /// Every tensor in the file by dotted path (`model.conv1.weight`, `optimizer.state.0.momentum_buffer`),
    /// a module saved whole entered by its state-dict names.
    public func tensorsByPath() throws -> [(path: String, tensor: Tensor)] {
        try TensorTree.tensors(root, scriptClasses)
    }

    /// The tensors of the file outside the state dict `choice` names, by dotted path.
    public func tensors(outside choice: StateDictChoice) throws -> [(path: String, tensor: Tensor)] {
        if choice.path.isEmpty { return [] }
        return try tensorsByPath().filter { $0.path != choice.path && !$0.path.hasPrefix(choice.path + ".") }
    }

    /// The dicts of tensors and modules in the file, for an error message.
    private func candidateList() throws -> String {
        let candidates = try TensorTree.candidates(root, scriptClasses)
        if candidates.isEmpty { return "the file holds no dict of tensors" }
        let listed = candidates.prefix(12).map { "\($0.path.isEmpty ? "(top level)" : $0.path) (\($0.tensors) tensor\($0.tensors == 1 ? "" : "s"))" }
        return "dicts of tensors in the file: \(listed.joined(separator: ", "))\(candidates.count > 12 ? ", …" : "")"
    }

    /// The entries of `value` if it is a dict of tensors or a module.
    private func stateDictEntries(_ value: PickleValue, at path: String) throws -> [StateDict.Entry]? {
        try Checkpoint.tensorDict(value) ?? ModuleTree.stateDict(value, scriptClasses, at: path)
    }

    /// The entries of `value` if it is a dict from strings to tensors.
    static func tensorDict(_ value: PickleValue) -> [StateDict.Entry]? {
        guard let entries = value.dictEntries else { return nil }
        var out = [StateDict.Entry]()
        out.reserveCapacity(entries.count)
        for entry in entries {
            guard let name = entry.key.stringValue, case .tensor(let tensor) = entry.value else { return nil }
            out.append(StateDict.Entry(name: name, tensor: tensor))
        }
        return out
    }
}
