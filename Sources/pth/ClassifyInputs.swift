import Foundation

/// Which files `pth classify PATH…` reads: named files as given, and under named directories, recursively,
/// every file whose extension is one of `extensions` or whose name matches an `--include` glob, ignoring case.
/// Hidden files and folders (a leading dot, which includes macOS's `._name` AppleDouble companions)
/// are passed over unless `hidden`; everything passed over is counted by why, so a run can say what it skipped.
///
/// Paths are normalised (`./photos/` and `photos` name the same files, spelt `photos/…`), so results
/// and `--resume` do not depend on how a folder was typed. Symbolic links are followed, but each
/// directory is walked once (known by device and inode), so a link loop ends instead of recursing
/// forever. The result is sorted and free of repeats.
enum ClassifyInputs {
    static let extensions: Set<String> = [
        "jpg", "jpeg", "png", "webp", "bmp", "tif", "tiff", "gif",
    ]

    /// The files found and those passed over.
    struct Discovery {
        var paths: [String]
        /// Files under the folders that were not taken, counted by reason: `.txt`, `no extension`, `hidden`, `hidden folder`.
        var skipped: [String: Int]

        /// `skipped 12 files: 8 .txt, 3 hidden, 1 no extension`, most frequent first; nil when nothing was skipped.
        var skippedSummary: String? {
            let total = skipped.values.reduce(0, +)
            guard total > 0 else { return nil }
            let reasons = skipped.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            let counted = reasons.map { "\($0.value) \($0.key)\($0.value > 1 && $0.key.hasSuffix("folder") ? "s" : "")" }
            return "skipped \(total) file\(total == 1 ? "" : "s"): " + counted.joined(separator: ", ")
        }
    }

    static func discover(_ arguments: [String], include: [String], hidden: Bool) throws -> Discovery {
        var walker = Walker(include: include, hidden: hidden)
        for argument in arguments.map(normalized) {
            var status = stat()
            guard stat(argument, &status) == 0 else {
                throw CommandFailure(.fatal, "\(argument): \(String(cString: strerror(errno)))")
            }
            if (status.st_mode & S_IFMT) == S_IFDIR {
                try walker.walk(argument, status)
            } else {
                walker.found.insert(argument)
            }
        }
        return Discovery(paths: walker.found.sorted(), skipped: walker.skipped)
    }

    /// `path` without empty or `.` components and without a trailing slash: `./a//b/./c/` is `a/b/c`.
    static func normalized(_ path: String) -> String {
        let components = path.split(separator: "/").filter { $0 != "." }
        let joined = components.joined(separator: "/")
        if path.hasPrefix("/") { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    private struct DirectoryID: Hashable {
        let device: UInt64
        let inode: UInt64
    }

    private struct Walker {
        let include: [String]
        let hidden: Bool
        var found = Set<String>()
        var skipped: [String: Int] = [:]
        var visited = Set<DirectoryID>()

        mutating func walk(_ directory: String, _ status: stat) throws {
            guard visited.insert(DirectoryID(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))).inserted else { return }
            guard let stream = opendir(directory) else {
                throw CommandFailure(.fatal, "\(directory): cannot list: \(String(cString: strerror(errno)))")
            }
            var names: [String] = []
            while let entry = readdir(stream) {
                let name = withUnsafePointer(to: entry.pointee.d_name) {
                    $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
                }
                if name != "." && name != ".." { names.append(name) }
            }
            closedir(stream)
            let prefix = directory.hasSuffix("/") ? directory : directory + "/"
            for name in names {
                let path = prefix + name
                var child = stat()
                let isDirectory = stat(path, &child) == 0 && (child.st_mode & S_IFMT) == S_IFDIR
                if name.hasPrefix(".") && !hidden {
                    skipped[isDirectory ? "hidden folder" : "hidden", default: 0] += 1
                } else if isDirectory {
                    try walk(path, child)
                } else if wanted(name) {
                    // A dangling link is kept if its name qualifies: reading it then fails with the reason.
                    found.insert(path)
                } else {
                    skipped[Self.kind(name), default: 0] += 1
                }
            }
        }

        func wanted(_ name: String) -> Bool {
            if let dot = name.lastIndex(of: "."), ClassifyInputs.extensions.contains(name[name.index(after: dot)...].lowercased()) {
                return true
            }
            // Globs ignore case as the extensions do (both sides lower-cased: FNM_CASEFOLD is a GNU extension).
            let lowered = name.lowercased()
            return include.contains { fnmatch($0.lowercased(), lowered, 0) == 0 }
        }

        /// `.txt` for notes.txt, `no extension` for README.
        static func kind(_ name: String) -> String {
            guard let dot = name.lastIndex(of: "."), dot != name.startIndex, name.index(after: dot) != name.endIndex else { return "no extension" }
            return "." + name[name.index(after: dot)...].lowercased()
        }
    }
}
