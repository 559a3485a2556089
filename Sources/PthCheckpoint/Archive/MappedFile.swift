import Dispatch
import Foundation
import PthFoundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The bytes of a checkpoint file: the whole file mapped read-only (storages borrow from it without
/// copying), the whole file read into memory (storages then outlive whatever happens to the file), or
/// an in-memory copy for bytes that never were a file (tests, the fuzzer).
final class MappedFile {
    /// The file's bytes, kept valid by whichever storages still read them.
    let memory: OwnedMemory
    var bytes: UnsafeRawBufferPointer { memory.bytes }

    /// Maps the file at `path`, or with `reading` reads it whole into memory of its own.
    init(path: String, reading: Bool = false) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw CheckpointError("open", String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw CheckpointError("stat", String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw CheckpointError("open", "not a regular file") }
        let size = Int(info.st_size)
        guard size > 0 else { throw CheckpointError("offset 0", "file is empty") }
        if reading {
            memory = try Self.read(descriptor, size: size)
            return
        }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
            throw CheckpointError("mmap", String(cString: strerror(errno)))
        }
        memory = OwnedMemory(adoptingFileMapping: UnsafeRawBufferPointer(start: address, count: size))
    }

    /// The file's `size` bytes in a buffer of their own, read as one part per core (copying out of the
    /// page cache is bound by one core's page faults and copy: ~80 ms per 100 MB on one core here, ~46 on two).
    private static func read(_ descriptor: Int32, size: Int) throws -> OwnedMemory {
        try OwnedMemory(byteCount: size) { try read(descriptor, into: $0) }
    }

    private static func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) throws {
        let size = buffer.count
        let chunks = max(1, min(ProcessInfo.processInfo.activeProcessorCount, size >> 20))
        let chunk = (size + chunks - 1) / chunks
        let failure = ChunkFailure()
        // Each chunk writes only its own byte range of the buffer.
        let target = UncheckedSendable(buffer)
        let readChunk: @Sendable (Int) -> Void = { index in
            let start = index * chunk, end = min(size, start + chunk)
            var done = start
            while done < end {
                let count = pread(descriptor, target.value.baseAddress! + done, end - done, off_t(done))
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else {
                    failure.record(CheckpointError("offset \(done)", count == 0 ? "file shrank while being read" : String(cString: strerror(errno))))
                    return
                }
                done += count
            }
        }
        // Threads of their own rather than Dispatch's pool, which a fresh process grows too slowly for a 50 ms job.
        let finished = DispatchSemaphore(value: 0)
        for index in 1..<chunks {
            Thread {
                readChunk(index)
                finished.signal()
            }.start()
        }
        readChunk(0)
        for _ in 1..<chunks { finished.wait() }
        if let error = failure.error { throw error }
    }

    init(copying source: UnsafeRawBufferPointer) throws {
        guard source.count > 0 else { throw CheckpointError("offset 0", "file is empty") }
        memory = OwnedMemory(copying: source)
    }
}

/// The first error any chunk of a parallel read met. Sendable without the compiler's proof: `error`
/// is written under `lock`, and read only after every chunk has finished.
private final class ChunkFailure: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var error: CheckpointError?

    func record(_ failure: CheckpointError) {
        lock.lock()
        if error == nil { error = failure }
        lock.unlock()
    }
}
