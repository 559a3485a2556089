/// The persistent id torch.save gives a storage in the zip and legacy formats:
/// `('storage', torch.FloatStorage, key, location, numel[, view_metadata])`, where the legacy
/// format's `view_metadata` is `None` or `(view_key, offset, numel)`.
enum PersistentStorageID {
    /// What a persistent id stands for while scanning: an empty storage, so tensor reductions still go through.
    static var scanPlaceholder: PickleItem { .storage(StorageReference(key: "", dtype: .uint8, count: 0, view: nil)) }

    static func parse(_ id: PickleItem, legacy: Bool) throws -> PickleItem {
        guard case .container(let tuple) = id, tuple.kind == .tuple, let first = tuple.items.first else {
            throw CheckpointError("", "persistent id is a \(id.kindName), expected a ('storage', …) tuple")
        }
        let items = tuple.items
        guard isText(first, "storage") else {
            throw CheckpointError("", "persistent id of type \(describe(first)) is not a storage")
        }
        let expected = legacy ? 6 : 5
        guard items.count == expected else {
            throw CheckpointError("", "storage persistent id has \(items.count) fields, expected \(expected)")
        }
        let dtype = try storageDType(items[1])
        let key = try storageKey(items[2])
        let count = try PickleReductions.integer(items[4], "storage numel")
        guard count >= 0 else { throw CheckpointError("", "storage \(key) has negative numel \(count)") }
        var view: (key: String, offset: Int, count: Int)?
        if legacy, case .container(let metadata) = items[5] {
            guard metadata.items.count == 3 else { throw CheckpointError("", "storage view metadata has \(metadata.items.count) fields, expected 3") }
            view = (
                try storageKey(metadata.items[0]),
                try PickleReductions.integer(metadata.items[1], "view offset"),
                try PickleReductions.integer(metadata.items[2], "view numel")
            )
        }
        return .storage(StorageReference(key: key, dtype: dtype, count: count, view: view))
    }

    /// The dtype of a `torch.*Storage` global.
    static func storageDType(_ item: PickleItem) throws -> DType {
        guard case .global(let global) = item else {
            throw CheckpointError("", "storage type is a \(item.kindName), expected a torch.*Storage global")
        }
        guard case .storageType(let dtype) = global.kind else {
            throw CheckpointError(
                "", "storage type \(global.qualifiedName) is not supported (supported: \(PickleGlobal.storageTypes.keys.sorted().joined(separator: ", ")))")
        }
        return dtype
    }

    /// Storage keys are strings in zip and legacy files and ints (Python `id()`s) in tar files; text either way.
    static func storageKey(_ item: PickleItem) throws -> String {
        switch item {
        case .string(let s): return Int(s).map(String.init) ?? s
        case .bytes(let b): return String(decoding: b, as: UTF8.self)
        case .int(let i): return String(i)
        default: throw CheckpointError("", "storage key is a \(item.kindName), expected str or int")
        }
    }

    private static func isText(_ item: PickleItem, _ text: String) -> Bool {
        switch item {
        case .string(let s): return s == text
        case .bytes(let b): return b.elementsEqual(text.utf8)
        default: return false
        }
    }

    private static func describe(_ item: PickleItem) -> String {
        if case .string(let s) = item { return "'\(s.prefix(40))'" }
        return item.kindName
    }
}
