import PthFoundation

/// torch.save's legacy stream (torch 0.4–1.5, and `_use_new_zipfile_serialization=False` today):
/// five pickles in a row — magic number, protocol version 1001, sys_info, the object tree (whose
/// persistent ids are `('storage', type, key, location, numel, view_metadata)`), the list of
/// storage keys — then for each key an int64 element count and that many little-endian elements.
/// A pickled whole module (`torch.save(model)`) also holds `('module', class, source_file, source)`
/// persistent ids, one per module class (see `ModuleSource`).
enum LegacyFormat {
    /// 0x1950a86a20f9469cfc6c as pickle's little-endian two's-complement bytes.
    static let magicNumber: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]
    static let protocolVersion = 1001

    /// Reads the object tree; with `scanOnly`, just runs the pickles to learn their globals (no storage is read).
    static func load(_ file: MappedFile, scanOnly: Bool = false) throws -> ArchiveContents {
        let bytes = file.bytes
        // torch unpickles all five pickles with the same unpickler, so globals in any of them count.
        var globals = [GlobalUse]()
        var sources = [ModuleSource]()
        let (magic, afterMagic) = try PlainPickle.load(bytes, source: "legacy magic number", at: 0, globals: &globals)
        guard case .bigInt(let value) = magic, value == magicNumber else {
            throw CheckpointError("offset 0", "not a PyTorch checkpoint (no zip or tar header, and no legacy magic number)")
        }
        let (version, afterVersion) = try PlainPickle.load(bytes, source: "legacy protocol version", at: afterMagic, globals: &globals)
        guard case .int(protocolVersion) = version else {
            throw CheckpointError("offset \(afterMagic)", "legacy protocol version is not \(protocolVersion)")
        }
        let (_, afterSysInfo) = try PlainPickle.load(bytes, source: "legacy sys_info", at: afterVersion, globals: &globals)

        var roots: [String: (dtype: DType, count: Int)] = [:]
        let machine = PickleMachine(bytes: bytes, source: "legacy pickle", start: afterSysInfo)
        machine.persistentLoad = { id in
            if let module = try ModuleSource.parse(id, tagged: true) {
                sources.append(module.source)
                return module.cls
            }
            if scanOnly { return PersistentStorageID.scanPlaceholder }
            let item = try PersistentStorageID.parse(id, legacy: true)
            if case .storage(let reference) = item, let count = reference.count {
                if let known = roots[reference.key], known.dtype != reference.dtype || known.count != count {
                    throw CheckpointError("", "storage \(reference.key) declared as \(known.count) \(known.dtype) and as \(count) \(reference.dtype)")
                }
                roots[reference.key] = (reference.dtype, count)
            }
            return item
        }
        let item = try machine.load()
        globals += machine.globalUses

        let (keyList, afterKeys) = try PlainPickle.load(bytes, source: "legacy storage keys", at: machine.position, globals: &globals)
        if scanOnly { return ArchiveContents(root: .none, globals: globals, sources: sources) }
        guard case .list(let keyItems) = keyList else { throw CheckpointError("offset \(machine.position)", "storage key list is not a list") }
        var storages: [String: TensorStorage] = [:]
        var offset = afterKeys
        for keyItem in keyItems {
            guard let key = keyItem.stringValue else { throw CheckpointError("offset \(machine.position)", "storage key is not a string") }
            guard let root = roots[key] else { throw CheckpointError("storage \(key)", "listed with data but never used by the pickle") }
            guard storages[key] == nil else { throw CheckpointError("storage \(key)", "listed twice") }
            guard offset <= bytes.count - 8 else { throw CheckpointError("storage \(key) offset \(offset)", "file ends before its element count") }
            let count = Int(Int64(bitPattern: LittleEndian.uint64(bytes, offset)))
            guard count == root.count, let size = StorageBytes.byteCount(count, root.dtype) else {
                throw CheckpointError("storage \(key) offset \(offset)", "has \(count) elements but the pickle says \(root.count)")
            }
            offset += 8
            guard size <= bytes.count - offset else {
                throw CheckpointError("storage \(key) offset \(offset)", "\(size) bytes run past the end of the \(bytes.count)-byte file")
            }
            storages[key] = StorageBytes.storage(
                dtype: root.dtype, bytes: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + size)]),
                in: file.memory, bigEndian: false)
            offset += size
        }

        var views: [String: TensorStorage] = [:]
        var converter = PickleConverter(machine: machine) { reference in
            guard let root = storages[reference.key] else { throw CheckpointError("storage \(reference.key)", "has no data in the file") }
            guard let view = reference.view else { return root }
            if let cached = views[view.key] { return cached }
            let storage = try StorageView.slice(root, key: view.key, offset: view.offset, count: view.count)
            views[view.key] = storage
            return storage
        }
        return ArchiveContents(root: try converter.value(of: item), globals: globals, sources: sources)
    }
}
