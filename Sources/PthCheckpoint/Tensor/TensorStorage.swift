import PthFoundation

/// The raw bytes behind one `torch.*Storage`, shared by every tensor that views it.
///
/// The bytes are an `OwnedMemory`: a slice of the archive's (a STORED zip entry in a mapped file is
/// never copied), of another storage's (a legacy or tar storage view), or an allocation of their own.
/// Bytes are always little-endian: big-endian archives are swapped on load.
public final class TensorStorage: Sendable {
    /// Element type of the storage.
    public let dtype: DType
    /// Number of elements.
    public let count: Int
    /// The memory holding the bytes, kept alive by the storage.
    public let memory: OwnedMemory

    /// A storage over `memory`'s bytes, which must be a whole number of `dtype` elements; nothing is copied.
    public init(dtype: DType, memory: OwnedMemory) {
        precondition(memory.bytes.count % dtype.byteSize == 0, "storage size is not a whole number of elements")
        self.dtype = dtype
        self.count = memory.bytes.count / dtype.byteSize
        self.memory = memory
    }

    /// Copies `bytes` into memory owned by the storage.
    public convenience init(dtype: DType, copying source: UnsafeRawBufferPointer) {
        self.init(dtype: dtype, memory: OwnedMemory(copying: source))
    }

    /// Copies an array of bytes into a new storage.
    public convenience init(dtype: DType, bytes: [UInt8]) {
        self.init(dtype: dtype, copying: bytes.withUnsafeBytes { $0 })
    }

    /// The storage's bytes (`count * dtype.byteSize` of them).
    public var bytes: UnsafeRawBufferPointer { memory.bytes }

    /// Whether the bytes are borrowed from a memory-mapped file (valid only while the file is unchanged).
    public var isFileMapped: Bool { memory.isFileMapped }
}
