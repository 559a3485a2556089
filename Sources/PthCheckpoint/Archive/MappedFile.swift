#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes of a checkpoint file: the whole file mapped read-only (storages borrow from it without
/// copying), or an in-memory copy for bytes that never were a file (tests, the fuzzer).
final class MappedFile {
    let bytes: UnsafeRawBufferPointer
    /// Whether `bytes` is a file mapping (its pages can be dropped and re-read from the file).
    let mapped: Bool

    init(path: String) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw CheckpointError("open", String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw CheckpointError("stat", String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw CheckpointError("open", "not a regular file") }
        let size = Int(info.st_size)
        guard size > 0 else { throw CheckpointError("offset 0", "file is empty") }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
            throw CheckpointError("mmap", String(cString: strerror(errno)))
        }
        bytes = UnsafeRawBufferPointer(start: address, count: size)
        mapped = true
    }

    init(copying source: UnsafeRawBufferPointer) throws {
        guard source.count > 0 else { throw CheckpointError("offset 0", "file is empty") }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: source.count, alignment: 64)
        buffer.copyMemory(from: source)
        bytes = UnsafeRawBufferPointer(buffer)
        mapped = false
    }

    deinit {
        if mapped {
            munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
        } else {
            bytes.deallocate()
        }
    }
}
