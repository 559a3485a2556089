#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The raw bytes behind one `torch.*Storage`, shared by every tensor that views it.
///
/// The bytes are either owned (allocated here) or borrowed from a memory-mapped
/// archive that `owner` keeps alive, so a STORED zip entry is never copied.
/// Bytes are always little-endian: big-endian archives are swapped on load.
public final class TensorStorage: @unchecked Sendable {
    /// Element type of the storage.
    public let dtype: DType
    /// Number of elements.
    public let count: Int
    /// The storage's bytes (`count * dtype.byteSize` of them).
    public let bytes: UnsafeRawBufferPointer
    private let owner: AnyObject?
    private let allocation: UnsafeMutableRawPointer?

    /// Wraps memory kept alive by `owner` (for example a mapped file); nothing is copied.
    public init(dtype: DType, borrowing bytes: UnsafeRawBufferPointer, owner: AnyObject) {
        precondition(bytes.count % dtype.byteSize == 0, "storage size is not a whole number of elements")
        self.dtype = dtype
        self.count = bytes.count / dtype.byteSize
        self.bytes = bytes
        self.owner = owner
        self.allocation = nil
    }

    /// Copies `bytes` into memory owned by the storage.
    public init(dtype: DType, copying source: UnsafeRawBufferPointer) {
        precondition(source.count % dtype.byteSize == 0, "storage size is not a whole number of elements")
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(source.count, 1), alignment: 64)
        if source.count > 0 { buffer.copyMemory(from: source) }
        self.dtype = dtype
        self.count = source.count / dtype.byteSize
        self.bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<source.count])
        self.owner = nil
        self.allocation = buffer.baseAddress
    }

    /// Copies an array of bytes into a new storage.
    public convenience init(dtype: DType, bytes: [UInt8]) {
        self.init(dtype: dtype, copying: bytes.withUnsafeBytes { $0 })
    }

    /// Whether the bytes are borrowed from a memory-mapped file (valid only while the file is unchanged).
    public var isFileMapped: Bool { (owner as? MappedFile)?.mapped ?? false }

    /// Lets the kernel drop the resident pages wholly inside `range` (byte offsets) when the bytes
    /// are borrowed from a mapped file: they read back unchanged from the file if touched again,
    /// so a caller that has copied the elements out stops paying for them twice. No effect on
    /// owned or in-memory bytes.
    func releaseMappedPages(_ range: Range<Int>) {
        guard isFileMapped, let base = bytes.baseAddress else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (Int(bitPattern: base) + range.lowerBound + page - 1) / page * page
        let end = (Int(bitPattern: base) + range.upperBound) / page * page
        if end > start { _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, MADV_DONTNEED) }
    }

    deinit {
        allocation?.deallocate()
    }
}
