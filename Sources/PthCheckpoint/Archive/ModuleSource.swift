/// An nn.Module class saved with its source code, for torch's "source has changed" warning: the legacy
/// format pickles each module class as the persistent id `('module', class, source_file, source)`, the
/// 2017 tar format as `(class, source_file, source)`. Recorded, never compiled or run.
public struct ModuleSource: Sendable, Equatable {
    /// `module.name` of the class.
    public let className: String
    /// The file the class was defined in, on the machine that saved the checkpoint.
    public let file: String
    /// The class's source code as saved.
    public let source: String

    /// The class a module persistent id stands for, and what it records; nil when `id` is not one
    /// (it is then a storage id). `tagged`: the legacy form, whose first field is 'module'.
    static func parse(_ id: PickleItem, tagged: Bool) throws -> (cls: PickleItem, source: ModuleSource)? {
        guard case .container(let tuple) = id, tuple.kind == .tuple, let first = tuple.items.first else { return nil }
        let fields: ArraySlice<PickleItem>
        if tagged {
            guard text(first) == "module" else { return nil }
            fields = tuple.items.dropFirst()
        } else {
            guard case .global = first else { return nil }
            fields = tuple.items[...]
        }
        guard fields.count == 3, let start = fields.indices.first else {
            throw CheckpointError(
                "",
                "module persistent id has \(tuple.items.count) fields, expected \(tagged ? "('module', class, source_file, source)" : "(class, source_file, source)")"
            )
        }
        guard case .global(let cls) = fields[start] else {
            throw CheckpointError("", "module persistent id names a \(fields[start].kindName), expected a class")
        }
        // torch saves None for a class whose source it could not find.
        return (
            fields[start],
            ModuleSource(
                className: cls.qualifiedName, file: text(fields[start + 1]) ?? "",
                source: text(fields[start + 2]) ?? "")
        )
    }

    private static func text(_ item: PickleItem) -> String? {
        switch item {
        case .string(let s): return s
        case .bytes(let b): return String(decoding: b, as: UTF8.self)
        default: return nil
        }
    }
}
