/// The class names a training script saved beside the weights, read from the checkpoint itself.
public struct CheckpointClassNames: Sendable, Equatable {
    /// Where they were found, e.g. `class_to_idx` or `model.class_to_idx` (an attribute of a saved module).
    public let key: String
    /// Name of class `i` at index `i`.
    public let names: [String]

    /// Names `names` (index order), found under `key`.
    public init(key: String, names: [String]) {
        self.key = key
        self.names = names
    }

    /// The keys looked for, in order: torchvision `ImageFolder`'s `class_to_idx` (name → index) and
    /// `classes` (names in index order), and the common `idx_to_class`, `class_names` and `labels`.
    public static let keys = ["class_to_idx", "classes", "idx_to_class", "class_names", "labels"]
}

extension Checkpoint {
    /// The class names the checkpoint carries, if any: under one of `CheckpointClassNames.keys` at the
    /// top level of a dict checkpoint, or as an attribute of a whole saved module (`model.class_to_idx =
    /// dataset.class_to_idx` before `torch.save(model)`). Throws when such a key holds something that is
    /// not a complete list of names (a mapping with gaps or repeated indices, values that are not text).
    public func classNames() throws -> CheckpointClassNames? {
        var places: [(prefix: String, entries: [(key: PickleValue, value: PickleValue)])] = []
        if let entries = root.dictEntries { places.append(("", entries)) }
        if case .opaque(let module) = root, let state = module.state?.dictEntries { places.append(("\(module.name).", state)) }
        for (prefix, entries) in places {
            for key in CheckpointClassNames.keys {
                guard let value = entries.first(where: { $0.key.stringValue == key })?.value else { continue }
                let location = prefix.isEmpty ? key : "\(prefix)\(key)"
                return CheckpointClassNames(key: location, names: try Checkpoint.names(in: value, key: key, location: location))
            }
        }
        return nil
    }

    /// Names in index order from a list of names, a name → index mapping or an index → name mapping.
    private static func names(in value: PickleValue, key: String, location: String) throws -> [String] {
        switch value {
        case .list(let items), .tuple(let items):
            return try items.enumerated().map { index, item in
                guard let name = text(item) else { throw CheckpointError(location, "entry \(index) is not text") }
                return name
            }
        case .dict(let entries):
            var byIndex = [Int: String]()
            for entry in entries {
                // Either direction: class_to_idx maps names to indices, idx_to_class indices to names.
                let pair: (index: Int, name: String)?
                if let name = text(entry.key), let index = integer(entry.value) {
                    pair = (index, name)
                } else if let index = integer(entry.key) ?? text(entry.key).flatMap({ Int($0) }), let name = text(entry.value) {
                    pair = (index, name)
                } else {
                    pair = nil
                }
                guard let pair else { throw CheckpointError(location, "holds an entry that maps neither a name to an index nor an index to a name") }
                guard byIndex.updateValue(pair.name, forKey: pair.index) == nil else {
                    throw CheckpointError(location, "gives index \(pair.index) twice")
                }
            }
            guard let missing = (0..<byIndex.count).first(where: { byIndex[$0] == nil }) else {
                return (0..<byIndex.count).map { byIndex[$0]! }
            }
            throw CheckpointError(location, "names \(byIndex.count) classes but none has index \(missing)")
        default:
            throw CheckpointError(location, "is a \(value.kindName), expected a list of class names or a name/index mapping")
        }
    }

    private static func text(_ value: PickleValue) -> String? {
        switch value {
        case .string(let s): return s
        case .bytes(let b): return String(decoding: b, as: UTF8.self)
        default: return nil
        }
    }

    private static func integer(_ value: PickleValue) -> Int? {
        if case .int(let i) = value { return i }
        return nil
    }
}
