import PthFoundation

/// A PyTorch checkpoint read from disk: which format it is in and the object tree it holds.
///
/// Reading executes nothing: the pickle is interpreted by `PickleMachine` against an allowlist
/// of data constructors, and any other global the file references becomes an inert
/// `PickleValue.opaque` listed in `opaqueObjects`.
public struct Checkpoint: Sendable {
    /// The on-disk formats torch.save, torch.jit.save and safetensors write.
    public enum Format: String, Sendable {
        /// torch ≥ 1.6: a zip of `data.pkl` and `data/<key>` storages.
        case zip
        /// torch 0.4–1.5 (and `_use_new_zipfile_serialization=False`): consecutive pickles then raw storages.
        case legacy
        /// torch 0.1.x (2017): a tar of `storages`, `tensors`, `pickle`, `sys_info`.
        case tar
        /// `torch.jit.save`: the zip layout plus `constants.pkl` and the TorchScript source in `code/`.
        case torchScript = "torchscript"
        /// `safetensors.torch.save_file`: a JSON header and raw tensors, no pickle.
        case safetensors
    }

    /// A global the pickle references, whether swift-pth interprets it, whether PyTorch's
    /// `weights_only=True` loader accepts it, and how many times the file uses it.
    public struct GlobalReference: Sendable, Equatable {
        /// `module.name`.
        public let name: String
        /// Whether swift-pth interprets it as a data constructor; if not, it is kept as an inert opaque value.
        public let isAllowlisted: Bool
        /// Whether `torch.load(weights_only=True)` (torch/_weights_only_unpickler.py) accepts it by default.
        public let isWeightsOnlyAllowed: Bool
        /// Uses in the file: objects made from a class, storages of a storage type, tensors rebuilt by a function.
        public let count: Int
    }

    /// The file's format.
    public let format: Format
    /// The object tree (dict/list/tuple/int/float/string/bytes/bool/none/tensor/opaque).
    public let root: PickleValue
    /// Every global the pickle references, in order of first reference.
    public let globals: [GlobalReference]
    /// The nn.Module classes a legacy or tar file saved with their source code (never compiled or run).
    public let moduleSources: [ModuleSource]
    /// For a TorchScript archive: the parameter and buffer names each module class of `code/` declares.
    public let scriptClasses: [String: ScriptClass]

    /// The file's bytes: mapped, or read into memory with `inMemory`.
    private let file: OwnedMemory

    /// Gives back the memory of the file's pages this process has read so far when the file is mapped
    /// (nothing otherwise): a page read again later comes back from the page cache. For a caller that
    /// has copied what it needs out of the tensors — a network packs every weight — and keeps them only
    /// for reference.
    public func releaseResidentPages() {
        file.releaseResidentPages()
    }

    /// `module.name` of every foreign global (not on the allowlist), each kept as an inert opaque value.
    public var opaqueObjects: [String] { globals.filter { !$0.isAllowlisted }.map(\.name) }

    /// Reads the checkpoint at `path`; throws `CheckpointError` saying what is wrong and where.
    ///
    /// By default the file is memory-mapped and its STORED tensors are read in place: the fastest way
    /// to look inside a file, but the tensors then depend on the file — truncating or rewriting it in
    /// place (as `torch.save` to the same path does) while they are used is undefined and may crash the
    /// process (SIGBUS). `inMemory` reads the whole file into memory first (one sequential read): the
    /// tensors then stay valid whatever happens to the file, which is what a long-lived network needs.
    public init(contentsOf path: String, inMemory: Bool = false) throws {
        try self.init(file: try MappedFile(path: path, reading: inMemory))
    }

    /// Reads a checkpoint held in memory (the bytes are copied).
    public init(bytes: UnsafeRawBufferPointer) throws {
        try self.init(file: try MappedFile(copying: bytes))
    }

    private init(file: MappedFile) throws {
        let (format, contents) = try Checkpoint.load(file, scanOnly: false)
        self.file = file.memory
        self.format = format
        root = contents.root
        globals = Checkpoint.references(contents.globals)
        moduleSources = contents.sources
        scriptClasses = contents.scriptClasses ?? [:]
    }

    /// What `pth inspect --scan` reports: the file's format, every global its pickles reference and
    /// the module sources they carry, found by running the pickles without reading any storage.
    public struct Scan: Sendable {
        /// The file's format.
        public let format: Format
        /// Every global the pickles reference, in order of first use, with its number of uses.
        public let globals: [GlobalReference]
        /// The module classes a legacy or tar file saved with their source code.
        public let moduleSources: [ModuleSource]
    }

    /// Scans the file at `path` (see `Scan`); a file PyTorch can read never fails here for what its pickles reference.
    public static func scan(contentsOf path: String) throws -> Scan {
        try scan(try MappedFile(path: path))
    }

    /// `scan(contentsOf:)` over a checkpoint held in memory (the bytes are copied).
    public static func scan(bytes: UnsafeRawBufferPointer) throws -> Scan {
        try scan(try MappedFile(copying: bytes))
    }

    private static func scan(_ file: MappedFile) throws -> Scan {
        let (format, contents) = try load(file, scanOnly: true)
        return Scan(format: format, globals: references(contents.globals), moduleSources: contents.sources)
    }

    private static func load(_ file: MappedFile, scanOnly: Bool) throws -> (Format, ArchiveContents) {
        let bytes = file.bytes
        if isZip(bytes) {
            let contents = try ZipFormat.load(file, scanOnly: scanOnly)
            return (contents.scriptClasses == nil ? .zip : .torchScript, contents)
        }
        if TarArchive.looksLikeTar(bytes) { return (.tar, try TarFormat.load(file, scanOnly: scanOnly)) }
        if SafetensorsFormat.looksLikeSafetensors(bytes) { return (.safetensors, try SafetensorsFormat.load(file)) }
        if bytes[0] != 0x80, let kind = FileKind.nonCheckpoint(bytes) {
            throw CheckpointError("offset 0", "not a PyTorch checkpoint: this is \(kind)")
        }
        return (.legacy, try LegacyFormat.load(file, scanOnly: scanOnly))
    }

    /// One reference per global, uses summed over the file's pickles, in order of first use.
    private static func references(_ uses: [GlobalUse]) -> [GlobalReference] {
        var order: [String] = []
        var merged: [String: GlobalUse] = [:]
        for use in uses {
            let name = use.global.qualifiedName
            if merged[name] == nil { order.append(name) }
            merged[name, default: GlobalUse(global: use.global, count: 0)].count += use.count
        }
        return order.map { name in
            let use = merged[name]!
            return GlobalReference(
                name: name, isAllowlisted: use.global.isAllowlisted,
                isWeightsOnlyAllowed: use.global.isWeightsOnlyAllowed, count: use.count)
        }
    }

    private static func isZip(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4B && (bytes[2], bytes[3]) == (0x03, 0x04)
    }
}
