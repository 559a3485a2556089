#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Bytes that stay valid and unchanged for as long as anything holds this object: a file mapped
/// read-only, an allocation of its own, or a slice of another `OwnedMemory` (which the slice keeps
/// alive). The one way swift-pth lends memory between layers — a checkpoint's storages, the graph's
/// constants and the kernels' weights read the same bytes in place, and whoever holds them last frees
/// them.
///
/// Sendable without the compiler's proof: the buffer and what keeps it are set once in `init` and
/// never changed, and the bytes are written only by the closure that initialises an allocation,
/// before anyone else can see them.
public final class OwnedMemory: @unchecked Sendable {
    /// The bytes; never written after `init`.
    public let bytes: UnsafeRawBufferPointer
    private let keeper: Keeper

    private enum Keeper {
        /// `bytes` lies in an allocation of this object's, freed with it.
        case allocation(UnsafeMutableRawPointer)
        /// `bytes` is a read-only file mapping of this object's, unmapped with it.
        case fileMapping
        /// `bytes` lies inside the parent's, which this object keeps alive.
        case slice(of: OwnedMemory)
    }

    /// `byteCount` bytes of its own (64-byte aligned), filled by `initialize` before anyone else sees
    /// them; the allocation is freed if `initialize` throws.
    public init(byteCount: Int, initializingWith initialize: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(byteCount, 1), alignment: 64)
        do {
            try initialize(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<byteCount]))
        } catch {
            buffer.deallocate()
            throw error
        }
        bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<byteCount])
        keeper = .allocation(buffer.baseAddress!)
    }

    /// A copy of `source` in an allocation of its own.
    public convenience init(copying source: UnsafeRawBufferPointer) {
        self.init(byteCount: source.count) { if source.count > 0 { $0.copyMemory(from: source) } }
    }

    /// Takes over `mapping`, a read-only `mmap` of a file, and unmaps it when released.
    public init(adoptingFileMapping mapping: UnsafeRawBufferPointer) {
        bytes = mapping
        keeper = .fileMapping
    }

    private init(slice: UnsafeRawBufferPointer, of parent: OwnedMemory) {
        bytes = slice
        keeper = .slice(of: parent)
    }

    /// The bytes in `range` (byte offsets within `bytes`, which must contain it), kept valid by the slice.
    public func slice(_ range: Range<Int>) -> OwnedMemory {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "slice \(range) of \(bytes.count) bytes")
        return OwnedMemory(slice: UnsafeRawBufferPointer(rebasing: bytes[range]), of: self)
    }

    /// The slice over `part`, which must lie inside `bytes` (a buffer rebased from them).
    public func slice(over part: UnsafeRawBufferPointer) -> OwnedMemory {
        guard part.count > 0, let start = part.baseAddress, let base = bytes.baseAddress else { return slice(0..<0) }
        let offset = start - base
        return slice(offset..<(offset + part.count))
    }

    /// The bytes as `count / stride` values of `T`; `bytes` must be aligned for `T`.
    public func buffer<T>(of type: T.Type) -> UnsafeBufferPointer<T> {
        guard let base = bytes.baseAddress else { return UnsafeBufferPointer(start: nil, count: 0) }
        precondition(Int(bitPattern: base) % MemoryLayout<T>.alignment == 0, "memory not aligned for \(T.self)")
        return UnsafeBufferPointer(start: base.assumingMemoryBound(to: T.self), count: bytes.count / MemoryLayout<T>.stride)
    }

    /// Whether the bytes are a file's mapped pages (valid only while the file is unchanged).
    public var isFileMapped: Bool {
        switch keeper {
        case .allocation: false
        case .fileMapping: true
        case .slice(let parent): parent.isFileMapped
        }
    }

    /// Lets the kernel drop the resident pages wholly inside `range` (byte offsets, default all) when
    /// the bytes are a file's mapped pages: they read back unchanged from the file if touched again, so a
    /// reader that has copied them out in another form stops paying for them twice. No effect on an
    /// allocation.
    public func releaseResidentPages(_ range: Range<Int>? = nil) {
        let range = range ?? 0..<bytes.count
        guard isFileMapped, let base = bytes.baseAddress, !range.isEmpty else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (Int(bitPattern: base) + range.lowerBound + page - 1) / page * page
        let end = (Int(bitPattern: base) + range.upperBound) / page * page
        if end > start { _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, MADV_DONTNEED) }
    }

    deinit {
        switch keeper {
        case .allocation(let start): start.deallocate()
        case .fileMapping: munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
        case .slice: break
        }
    }
}
