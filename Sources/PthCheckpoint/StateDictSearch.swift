extension Checkpoint {
    /// Where `stateDict()` looks, in order, when the top level is not itself a state dict:
    /// the keys training scripts commonly save the model's weights under.
    public static let stateDictKeys = ["state_dict", "model_state_dict", "model", "net", "ema"]

    /// The tensors the user means, with torch's names.
    ///
    /// The search: the top-level dict if every value in it is a tensor (what
    /// `torch.save(model.state_dict())` writes); otherwise the first of `stateDictKeys` whose
    /// value is such a dict. When every name starts with `module.` (a model wrapped in
    /// `DataParallel` when saved) that prefix is removed.
    public func stateDict() throws -> StateDict {
        guard let found = Checkpoint.tensorDict(root) ?? Checkpoint.stateDictKeys.lazy.compactMap({ self.root[$0].flatMap(Checkpoint.tensorDict) }).first else {
            let keys = root.dictEntries.map { $0.map { $0.key.stringValue ?? "?" }.prefix(12).joined(separator: ", ") }
            throw CheckpointError("state dict", keys.map { "no dict of tensors at the top level or under \(Checkpoint.stateDictKeys.joined(separator: "/")); top-level keys: \($0)" }
                ?? "the checkpoint holds no dict of tensors")
        }
        if !found.isEmpty && found.allSatisfy({ $0.name.hasPrefix("module.") }) {
            return StateDict(found.map { StateDict.Entry(name: String($0.name.dropFirst("module.".count)), tensor: $0.tensor) })
        }
        return StateDict(found)
    }

    /// The entries of `value` if it is a dict from strings to tensors.
    private static func tensorDict(_ value: PickleValue) -> [StateDict.Entry]? {
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
