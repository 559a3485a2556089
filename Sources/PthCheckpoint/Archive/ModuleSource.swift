/// An nn.Module class saved with its source code: the legacy and tar formats pickle each module
/// class as the persistent id `('module', class, source_file, source)` (for torch's "source has
/// changed" warning). Recorded, never compiled or run.
public struct ModuleSource: Sendable, Equatable {
    /// `module.name` of the class.
    public let className: String
    /// The file the class was defined in, on the machine that saved the checkpoint.
    public let file: String
    /// The class's source code as saved.
    public let source: String

    /// The class a `('module', class, source_file, source)` persistent id stands for, and what it
    /// records; nil when `id` is not such a tuple (it is then a storage id).
    static func parse(_ id: PickleItem) throws -> (cls: PickleItem, source: ModuleSource)? {
        guard case .container(let tuple) = id, tuple.kind == .tuple, let first = tuple.items.first,
              text(first) == "module" else { return nil }
        guard tuple.items.count == 4 else {
            throw CheckpointError("", "module persistent id has \(tuple.items.count) fields, expected 4 ('module', class, source_file, source)")
        }
        guard case .global(let cls) = tuple.items[1] else {
            throw CheckpointError("", "module persistent id names a \(tuple.items[1].kindName), expected a class")
        }
        return (tuple.items[1], ModuleSource(className: cls.qualifiedName, file: text(tuple.items[2]) ?? "",
                                             source: text(tuple.items[3]) ?? ""))
    }

    private static func text(_ item: PickleItem) -> String? {
        switch item {
        case .string(let s): return s
        case .bytes(let b): return String(decoding: b, as: UTF8.self)
        default: return nil
        }
    }
}
