/// A PyTorch checkpoint read from disk: which format it is in and the object tree it holds.
///
/// Reading executes nothing: the pickle is interpreted by `PickleMachine` against an allowlist
/// of data constructors, and any other global the file references becomes an inert
/// `PickleValue.opaque` listed in `opaqueObjects`.
public struct Checkpoint: Sendable {
    /// The three on-disk formats torch.save has used.
    public enum Format: String, Sendable {
        /// torch ≥ 1.6: a zip of `data.pkl` and `data/<key>` storages.
        case zip
        /// torch 0.4–1.5 (and `_use_new_zipfile_serialization=False`): consecutive pickles then raw storages.
        case legacy
        /// torch 0.1.x (2017): a tar of `storages`, `tensors`, `pickle`, `sys_info`.
        case tar
    }

    /// A global the pickle references, and whether it is on the allowlist.
    public struct GlobalReference: Sendable, Equatable {
        /// `module.name`.
        public let name: String
        /// Whether swift-pth interprets it as a data constructor; if not, it is kept as an inert opaque value.
        public let isAllowlisted: Bool
    }

    public let format: Format
    /// The object tree (dict/list/tuple/int/float/string/bytes/bool/none/tensor/opaque).
    public let root: PickleValue
    /// Every global the pickle references, in order of first reference.
    public let globals: [GlobalReference]

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
        format = Checkpoint.format(of: file.bytes)
        let loaded = try Checkpoint.load(file, format, scanOnly: false)
        root = loaded.root
        globals = loaded.globals
    }

    /// Every global the file's pickles reference, found by running them without reading any
    /// storage: what `pth inspect --scan` reports before anyone hands the file to PyTorch.
    public static func scan(contentsOf path: String) throws -> (format: Format, globals: [GlobalReference]) {
        try scan(try MappedFile(path: path))
    }

    /// `scan(contentsOf:)` over a checkpoint held in memory (the bytes are copied).
    public static func scan(bytes: UnsafeRawBufferPointer) throws -> (format: Format, globals: [GlobalReference]) {
        try scan(try MappedFile(copying: bytes))
    }

    private static func scan(_ file: MappedFile) throws -> (format: Format, globals: [GlobalReference]) {
        let format = Checkpoint.format(of: file.bytes)
        return (format, try load(file, format, scanOnly: true).globals)
    }

    private static func load(_ file: MappedFile, _ format: Format, scanOnly: Bool) throws -> (root: PickleValue, globals: [GlobalReference]) {
        let loaded: (root: PickleValue, globals: [PickleGlobal])
        switch format {
        case .zip: loaded = try ZipFormat.load(file, scanOnly: scanOnly)
        case .tar: loaded = try TarFormat.load(file, scanOnly: scanOnly)
        case .legacy: loaded = try LegacyFormat.load(file, scanOnly: scanOnly)
        }
        var seen = Set<String>()
        let globals = loaded.globals.filter { seen.insert($0.qualifiedName).inserted }
        return (loaded.root, globals.map { GlobalReference(name: $0.qualifiedName, isAllowlisted: $0.isAllowlisted) })
    }

    private static func format(of bytes: UnsafeRawBufferPointer) -> Format {
        if isZip(bytes) { return .zip }
        if TarArchive.looksLikeTar(bytes) { return .tar }
        return .legacy
    }

    private static func isZip(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4B && (bytes[2], bytes[3]) == (0x03, 0x04)
    }
}
