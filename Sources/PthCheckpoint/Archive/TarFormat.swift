import PthFoundation

/// torch.save's first format (torch 0.1.x, 2017; e.g. resnet18-5c106cde.pth): a tar with members
///
/// - `storages`: pickled count, then per storage a pickled `(key, location, storage_type)`, an
///   int64 element count and the raw little-endian elements; then a pickled list of views
///   `(view_key, root_key, offset, numel)`;
/// - `tensors`: pickled count, then per tensor a pickled `(key, storage_key, tensor_type)`, an int32
///   ndim, 4 padding bytes, ndim int64 sizes, ndim int64 strides and an int64 storage offset;
/// - `pickle`: the object tree, whose persistent ids are tensor (or storage) keys as text, and
///   `(class, source_file, source)` for each module class of a whole pickled model (see `ModuleSource`);
/// - `sys_info`: not needed.
///
/// Layout facts from `_legacy_load` in torch/serialization.py.
enum TarFormat {
    /// Reads the object tree; with `scanOnly`, the `pickle` member is only run to learn its globals.
    static func load(_ file: MappedFile, scanOnly: Bool = false) throws -> ArchiveContents {
        let tar = try TarArchive(file.bytes)
        func member(_ name: String) throws -> UnsafeRawBufferPointer {
            guard let range = tar.members[name] else { throw CheckpointError("tar", "member \(name) is missing") }
            return UnsafeRawBufferPointer(rebasing: file.bytes[range])
        }
        var headerGlobals: [GlobalUse] = []
        let storages: [String: TensorStorage]
        let tensors: [String: PendingTensor]
        do {
            storages = try readStorages(try member("storages"), in: file.memory, globals: &headerGlobals)
            tensors = try readTensors(try member("tensors"), storages: storages, globals: &headerGlobals)
        } catch  where scanOnly && !headerGlobals.allSatisfy(\.global.isAllowlisted) {
            // A foreign storage or tensor type ends the walk (its element size is unknown), but it
            // is exactly what a scan is for: report it with the globals of the `pickle` member.
            let machine = PickleMachine(bytes: try member("pickle"), source: "pickle")
            var sources = [ModuleSource]()
            machine.persistentLoad = { try scanPersistentLoad($0, &sources) }
            _ = try? machine.load()
            return ArchiveContents(root: .none, globals: headerGlobals + machine.globalUses, sources: sources)
        }

        let machine = PickleMachine(bytes: try member("pickle"), source: "pickle")
        var sources = [ModuleSource]()
        machine.persistentLoad =
            scanOnly
            ? { try scanPersistentLoad($0, &sources) }
            : { id in
                if let module = try ModuleSource.parse(id, tagged: false) {
                    sources.append(module.source)
                    return module.cls
                }
                let key = try PersistentStorageID.storageKey(id)
                if let tensor = tensors[key] { return .tensor(tensor) }
                if let storage = storages[key] {
                    return .storage(StorageReference(key: key, dtype: storage.dtype, count: nil, view: nil))
                }
                throw CheckpointError("", "persistent id \(key) is neither a tensor nor a storage in the archive")
            }
        let item = try machine.load()
        if scanOnly { return ArchiveContents(root: .none, globals: headerGlobals + machine.globalUses, sources: sources) }
        var converter = PickleConverter(machine: machine) { reference in
            guard let storage = storages[reference.key] else { throw CheckpointError("storage \(reference.key)", "missing from the archive") }
            return storage
        }
        return ArchiveContents(root: try converter.value(of: item), globals: headerGlobals + machine.globalUses, sources: sources)
    }

    /// While scanning, a module class id stands for its class and any other id for an empty storage.
    private static func scanPersistentLoad(_ id: PickleItem, _ sources: inout [ModuleSource]) throws -> PickleItem {
        guard let module = try ModuleSource.parse(id, tagged: false) else { return PersistentStorageID.scanPlaceholder }
        sources.append(module.source)
        return module.cls
    }

    private static func readStorages(_ bytes: UnsafeRawBufferPointer, in memory: OwnedMemory, globals: inout [GlobalUse]) throws -> [String: TensorStorage] {
        var storages: [String: TensorStorage] = [:]
        var offset = 0
        for _ in 0..<(try recordCount(bytes, "storages", &offset)) {
            let fields = try recordHeader(bytes, "storages", "(key, location, type)", &offset, globals: &globals)
            let key = try PersistentStorageID.storageKey(fields[0])
            let dtype = try located("storages offset \(offset)") { try PersistentStorageID.storageDType(fields[2]) }
            guard offset <= bytes.count - 8 else { throw CheckpointError("storages offset \(offset)", "ends before storage \(key)'s element count") }
            let elements = Int(Int64(bitPattern: LittleEndian.uint64(bytes, offset)))
            offset += 8
            guard let size = StorageBytes.byteCount(elements, dtype), size <= bytes.count - offset else {
                throw CheckpointError(
                    "storages offset \(offset)", "storage \(key) claims \(elements) \(dtype) elements, more than the \(bytes.count - offset) bytes left")
            }
            guard storages[key] == nil else { throw CheckpointError("storages offset \(offset)", "storage \(key) appears twice") }
            storages[key] = StorageBytes.storage(
                dtype: dtype, bytes: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + size)]),
                in: memory, bigEndian: false)
            offset += size
        }
        let (viewList, _) = try PlainPickle.load(bytes, source: "storages", at: offset)
        guard case .list(let views) = viewList else { throw CheckpointError("storages offset \(offset)", "storage views are not a list") }
        for view in views {
            guard case .tuple(let fields) = view, fields.count == 4 else {
                throw CheckpointError("storages offset \(offset)", "storage view is not (view_key, root_key, offset, numel)")
            }
            let key = try PersistentStorageID.storageKey(try item(fields[0]))
            let rootKey = try PersistentStorageID.storageKey(try item(fields[1]))
            guard case .int(let start) = fields[2], case .int(let count) = fields[3] else {
                throw CheckpointError("storage view \(key)", "offset and numel are not ints")
            }
            guard let root = storages[rootKey] else { throw CheckpointError("storage view \(key)", "root storage \(rootKey) is missing") }
            storages[key] = try StorageView.slice(root, key: key, offset: start, count: count)
        }
        return storages
    }

    private static func readTensors(_ bytes: UnsafeRawBufferPointer, storages: [String: TensorStorage], globals: inout [GlobalUse]) throws -> [String:
        PendingTensor]
    {
        var tensors: [String: PendingTensor] = [:]
        var offset = 0
        for _ in 0..<(try recordCount(bytes, "tensors", &offset)) {
            let fields = try recordHeader(bytes, "tensors", "(key, storage_key, type)", &offset, globals: &globals)
            let key = try PersistentStorageID.storageKey(fields[0])
            let storageKey = try PersistentStorageID.storageKey(fields[1])
            guard let storage = storages[storageKey] else {
                throw CheckpointError("tensors offset \(offset)", "tensor \(key) uses storage \(storageKey), which is missing")
            }
            guard offset <= bytes.count - 8 else { throw CheckpointError("tensors offset \(offset)", "ends inside tensor \(key)'s metadata") }
            let ndim = Int(Int32(bitPattern: LittleEndian.uint32(bytes, offset)))
            offset += 8  // int32 ndim, then 4 bytes the old writer padded it with
            guard ndim >= 0, ndim <= (bytes.count - offset) / 16 else {
                throw CheckpointError("tensors offset \(offset - 8)", "tensor \(key) claims \(ndim) dimensions, more than the bytes left")
            }
            var metadata = [Int]()
            for index in 0..<(2 * ndim + 1) {
                guard offset + 8 * index <= bytes.count - 8 else { throw CheckpointError("tensors offset \(offset)", "ends inside tensor \(key)'s metadata") }
                metadata.append(Int(Int64(bitPattern: LittleEndian.uint64(bytes, offset + 8 * index))))
            }
            offset += 8 * (2 * ndim + 1)
            tensors[key] = PendingTensor(
                storage: StorageReference(key: storageKey, dtype: storage.dtype, count: nil, view: nil),
                storageOffset: metadata[2 * ndim], shape: Array(metadata[0..<ndim]),
                strides: Array(metadata[ndim..<(2 * ndim)]))
        }
        return tensors
    }

    /// The pickled record count that starts the `storages` and `tensors` members.
    private static func recordCount(_ bytes: UnsafeRawBufferPointer, _ member: String, _ offset: inout Int) throws -> Int {
        let (value, end) = try PlainPickle.load(bytes, source: member, at: offset)
        guard case .int(let count) = value, count >= 0, count <= bytes.count else {
            throw CheckpointError("\(member) offset \(offset)", "record count is not a plausible int")
        }
        offset = end
        return count
    }

    /// A pickled 3-tuple heading one record; its fields are keys and globals, which outlive the machine.
    /// The globals it references (storage and tensor types) are appended to `globals`.
    private static func recordHeader(
        _ bytes: UnsafeRawBufferPointer, _ member: String, _ shape: String, _ offset: inout Int,
        globals: inout [GlobalUse]
    ) throws -> [PickleItem] {
        let machine = PickleMachine(bytes: bytes, source: member, start: offset)
        defer { globals += machine.globalUses }
        // The items must be copied out before the machine (which empties its containers) is freed.
        return try withExtendedLifetime(machine) {
            let header = try machine.load()
            guard case .container(let tuple) = header, tuple.kind == .tuple, tuple.items.count == 3 else {
                throw CheckpointError("\(member) offset \(offset)", "record header is a \(header.kindName), expected \(shape)")
            }
            offset = machine.position
            return tuple.items
        }
    }

    /// Views are converted values; their keys are ints or strings, which `storageKey` reads as items.
    private static func item(_ value: PickleValue) throws -> PickleItem {
        switch value {
        case .int(let i): return .int(i)
        case .string(let s): return .string(s)
        case .bytes(let b): return .bytes(b)
        default: throw CheckpointError("storages", "storage view key is not an int or string")
        }
    }

    private static func located<T>(_ location: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let failure as CheckpointError {
            throw CheckpointError(location, failure.message)
        }
    }
}
