import PthFoundation

/// torch.save's zip format (torch ≥ 1.6): `<root>/data.pkl` holds the object tree, whose
/// persistent ids name storages stored as `<root>/data/<key>`; `<root>/byteorder` says whether
/// those bytes are "little" (the default) or "big" endian.
///
/// `torch.jit.save` writes the same layout plus `<root>/constants.pkl` and `<root>/code/`: a
/// TorchScript archive, whose data.pkl objects are TorchScript classes declared in `code/` (see
/// `ScriptClass`).
enum ZipFormat {
    /// Reads the object tree; with `scanOnly`, just runs the pickles to learn their globals (no storage is read).
    static func load(_ file: MappedFile, scanOnly: Bool = false) throws -> ArchiveContents {
        let archive = try ZipArchive(file: file)
        // The root folder varies (the file stem, `archive`, anything): like torch, take the first entry's.
        guard let first = archive.entries.first, let slash = first.name.firstIndex(of: "/") else {
            throw CheckpointError("zip", "archive has no top-level folder holding data.pkl")
        }
        let root = String(first.name[..<slash])
        let scriptClasses = try self.scriptClasses(archive, root)
        let bigEndian = try byteOrderIsBig(archive, root)
        let pickleName = "\(root)/data.pkl"
        guard let pickleEntry = archive.entry(named: pickleName) else { throw CheckpointError(pickleName, "missing from the archive") }
        let pickle = try archive.contents(of: pickleEntry)

        let machine = PickleMachine(bytes: pickle.bytes, source: pickleName)
        machine.persistentLoad = scanOnly ? { _ in PersistentStorageID.scanPlaceholder } : { try PersistentStorageID.parse($0, legacy: false) }
        let item = try withExtendedLifetime(pickle) { try machine.load() }
        if scanOnly {
            var globals = machine.globalUses
            if scriptClasses != nil, let constants = archive.entry(named: "\(root)/constants.pkl") {
                globals += try scanGlobals(archive, constants)
            }
            return ArchiveContents(root: .none, globals: globals, scriptClasses: scriptClasses)
        }

        var storages: [String: TensorStorage] = [:]
        var converter = PickleConverter(machine: machine) { reference in
            let name = "\(root)/data/\(reference.key)"
            if let cached = storages[reference.key] {
                guard cached.dtype == reference.dtype else {
                    throw CheckpointError(name, "used as \(cached.dtype) and as \(reference.dtype)")
                }
                return cached
            }
            guard let entry = archive.entry(named: name) else { throw CheckpointError(name, "storage missing from the archive") }
            let count = reference.count ?? 0
            guard let needed = StorageBytes.byteCount(count, reference.dtype), needed <= entry.size else {
                throw CheckpointError(name, "holds \(entry.size) bytes but the pickle says \(count) \(reference.dtype) elements")
            }
            let memory = try archive.contents(of: entry)
            let storage = StorageBytes.storage(
                dtype: reference.dtype, bytes: UnsafeRawBufferPointer(rebasing: memory.bytes[0..<needed]),
                in: memory, bigEndian: bigEndian)
            storages[reference.key] = storage
            return storage
        }
        return ArchiveContents(root: try converter.value(of: item), globals: machine.globalUses, scriptClasses: scriptClasses)
    }

    /// The module classes `code/` declares, or nil when the archive is not TorchScript (no constants.pkl).
    private static func scriptClasses(_ archive: ZipArchive, _ root: String) throws -> [String: ScriptClass]? {
        guard archive.entry(named: "\(root)/constants.pkl") != nil else { return nil }
        let code = "\(root)/code/"
        var classes: [String: ScriptClass] = [:]
        for entry in archive.entries where entry.name.hasPrefix(code) && entry.name.hasSuffix(".py") {
            let memory = try archive.contents(of: entry)
            let text = withExtendedLifetime(memory) { String(decoding: memory.bytes, as: UTF8.self) }
            let path = String(entry.name.dropFirst(code.count).dropLast(".py".count))
            classes.merge(ScriptClass.classes(inFile: path, text: text)) { first, _ in first }
        }
        return classes
    }

    /// The globals of another pickle in the archive, run with every persistent id standing for an empty storage.
    private static func scanGlobals(_ archive: ZipArchive, _ entry: ZipArchive.Entry) throws -> [GlobalUse] {
        let memory = try archive.contents(of: entry)
        let machine = PickleMachine(bytes: memory.bytes, source: entry.name)
        machine.persistentLoad = { _ in PersistentStorageID.scanPlaceholder }
        _ = try withExtendedLifetime(memory) { try machine.load() }
        return machine.globalUses
    }

    private static func byteOrderIsBig(_ archive: ZipArchive, _ root: String) throws -> Bool {
        guard let entry = archive.entry(named: "\(root)/byteorder") else { return false }
        guard entry.size <= 16 else { throw CheckpointError(entry.name, "is \(entry.size) bytes, expected \"little\" or \"big\"") }
        let memory = try archive.contents(of: entry)
        let text = withExtendedLifetime(memory) { String(decoding: memory.bytes, as: UTF8.self) }
        switch text {
        case "little": return false
        case "big": return true
        default: throw CheckpointError(entry.name, "says \"\(text)\", expected \"little\" or \"big\"")
        }
    }
}
