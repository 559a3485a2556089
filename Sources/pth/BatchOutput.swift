import Foundation

/// Where a batch job's lines go: a file or standard output, written one whole batch at a time.
///
/// After each batch the file is fsync'd, so what a crash or SIGKILL leaves behind is every batch
/// before it. A write that fails part-way (disk full, file-size limit) is cut back to the end of the
/// previous batch, so the file never keeps a partial line of ours, and the error says so.
final class BatchOutput {
    /// The file name, or "standard output", for errors.
    let name: String
    private let descriptor: Int32
    private let isRegularFile: Bool
    /// Bytes of the file that are complete batches.
    private(set) var length: off_t

    /// Standard output; not synced (a pipe or terminal has nothing to sync).
    static func standardOutput() -> BatchOutput {
        BatchOutput(name: "standard output", descriptor: STDOUT_FILENO, isRegularFile: false, length: 0)
    }

    private init(name: String, descriptor: Int32, isRegularFile: Bool, length: off_t) {
        self.name = name
        self.descriptor = descriptor
        self.isRegularFile = isRegularFile
        self.length = length
    }

    /// Opens `path` for writing, emptying it unless `append`.
    convenience init(path: String, append: Bool) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0o644)
        guard descriptor >= 0 else { throw CommandFailure(.fatal, "\(path): cannot write: \(String(cString: strerror(errno)))") }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw CommandFailure(.fatal, "\(path): \(reason)")
        }
        let isRegularFile = (status.st_mode & S_IFMT) == S_IFREG
        self.init(name: path, descriptor: descriptor, isRegularFile: isRegularFile, length: isRegularFile ? status.st_size : 0)
    }

    /// Fails as opening `path` for writing would, without creating or changing anything: for writers
    /// (such as `.npy`'s) whose own errors say less, checked before any work is done.
    static func checkWritable(_ path: String) throws {
        var status = stat()
        let target: String
        if stat(path, &status) == 0 {
            if (status.st_mode & S_IFMT) == S_IFDIR { throw CommandFailure(.fatal, "\(path): cannot write: \(String(cString: strerror(EISDIR)))") }
            target = path
        } else {
            let parent = (path as NSString).deletingLastPathComponent
            target = parent.isEmpty ? "." : parent
        }
        if access(target, W_OK) != 0 { throw CommandFailure(.fatal, "\(path): cannot write: \(String(cString: strerror(errno)))") }
    }

    deinit {
        if descriptor != STDOUT_FILENO { close(descriptor) }
    }

    /// Appends `text` and makes it durable, or restores the previous end and throws.
    func write(_ text: String) throws {
        try write(Array(text.utf8))
    }

    /// Appends `bytes` and makes them durable, or restores the previous end and throws.
    func write(_ bytes: [UInt8]) throws {
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(String(cString: strerror(errno)))
            }
            written += count
        }
        if isRegularFile && fsync(descriptor) != 0 { throw failure(String(cString: strerror(errno))) }
        length += off_t(bytes.count)
    }

    private func failure(_ reason: String) -> CommandFailure {
        guard isRegularFile else { return CommandFailure(.fatal, "\(name): \(reason)") }
        // Best effort: if even truncation fails the partial line stays, and --resume drops it.
        _ = ftruncate(descriptor, length)
        return CommandFailure(.fatal, "\(name): \(reason); the \(length) bytes written before this batch are intact")
    }
}
