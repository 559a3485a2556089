import CZip
import PthFoundation

/// A zip archive in a mapped file, read with libzip.
///
/// libzip checks the archive and inflates DEFLATED entries. libzip does not expose where an
/// entry's data starts, so the central directory is also walked here to find each local header:
/// STORED entries (what torch.save writes, 64-byte aligned) are then used in place, zero-copy.
final class ZipArchive {
    struct Entry {
        let name: String
        let method: UInt16
        let compressedSize: Int
        let size: Int
        let localHeaderOffset: Int
    }

    /// DEFLATE cannot expand data by more than about 1032:1; an entry claiming more is lying (a zip bomb).
    static let maximumDeflateRatio = 1032

    let file: MappedFile
    /// Entries in central-directory order.
    private(set) var entries: [Entry] = []
    private var indexByName: [String: Int] = [:]
    private let archive: OpaquePointer

    init(file: MappedFile) throws {
        self.file = file
        // Walked first: its errors say what is wrong (truncation, lying offsets) more precisely than libzip's.
        entries = try CentralDirectory.read(file.bytes)
        for (index, entry) in entries.enumerated() {
            guard indexByName.updateValue(index, forKey: entry.name) == nil else {
                throw CheckpointError("zip", "two entries are named \(entry.name)")
            }
        }
        var error = zip_error_t()
        zip_error_init(&error)
        defer { zip_error_fini(&error) }
        guard let source = zip_source_buffer_create(file.bytes.baseAddress, zip_uint64_t(file.bytes.count), 0, &error) else {
            throw CheckpointError("zip", String(cString: zip_error_strerror(&error)))
        }
        guard let archive = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error) else {
            zip_source_free(source)
            throw CheckpointError("zip", "not a readable zip archive: \(String(cString: zip_error_strerror(&error)))")
        }
        self.archive = archive
        guard Int(zip_get_num_entries(archive, 0)) == entries.count else {
            throw CheckpointError("zip", "central directory lists \(entries.count) entries but libzip found \(zip_get_num_entries(archive, 0))")
        }
    }

    deinit { zip_discard(archive) }

    func entry(named name: String) -> Entry? { indexByName[name].map { entries[$0] } }

    /// The entry's bytes: a slice of the mapping when STORED, inflated into an allocation of their own otherwise.
    func contents(of entry: Entry) throws -> OwnedMemory {
        if entry.method == 0 { return file.memory.slice(over: try storedData(entry)) }
        guard entry.size <= max(entry.compressedSize, 1) * ZipArchive.maximumDeflateRatio else {
            throw CheckpointError(entry.name, "claims \(entry.size) bytes from \(entry.compressedSize) compressed, beyond what DEFLATE can produce")
        }
        guard let handle = zip_fopen_index(archive, zip_uint64_t(indexByName[entry.name]!), 0) else {
            throw CheckpointError(entry.name, "cannot open: \(String(cString: zip_strerror(archive)))")
        }
        defer { zip_fclose(handle) }
        return try OwnedMemory(byteCount: entry.size) { buffer in
            var filled = 0
            while filled < entry.size {
                let got = zip_fread(handle, buffer.baseAddress! + filled, zip_uint64_t(entry.size - filled))
                guard got > 0 else {
                    let reason = got < 0 ? String(cString: zip_file_strerror(handle)) : "data ends early"
                    throw CheckpointError(entry.name, "read \(filled) of \(entry.size) bytes: \(reason)")
                }
                filled += Int(got)
            }
        }
    }

    private func storedData(_ entry: Entry) throws -> UnsafeRawBufferPointer {
        let bytes = file.bytes
        let header = entry.localHeaderOffset
        guard entry.compressedSize == entry.size else {
            throw CheckpointError(entry.name, "STORED entry has compressed size \(entry.compressedSize) but size \(entry.size)")
        }
        guard header <= bytes.count - 30, LittleEndian.uint32(bytes, header) == 0x0403_4B50 else {
            throw CheckpointError(entry.name, "no local header at offset \(header)")
        }
        let start = header + 30 + Int(LittleEndian.uint16(bytes, header + 26)) + Int(LittleEndian.uint16(bytes, header + 28))
        guard start <= bytes.count, entry.size <= bytes.count - start else {
            throw CheckpointError(entry.name, "\(entry.size) bytes at offset \(start) run past the end of the \(bytes.count)-byte file")
        }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<(start + entry.size)])
    }
}
