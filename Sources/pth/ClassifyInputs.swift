import Foundation

/// Which files `pth classify PATH…` reads: named files as given, and under named directories, recursively,
/// every file whose extension is jpg, jpeg, png, webp, bmp, tif, tiff or gif or whose name matches an `--include` glob, ignoring case.
///
/// Symbolic links are followed, but each directory is walked once (known by device and inode), so a
/// link loop ends instead of recursing forever. The result is sorted and free of repeats.
enum ClassifyInputs {
    static let extensions: Set<String> = ["jpg", "jpeg", "png", "webp", "bmp", "tif", "tiff", "gif"]

    static func discover(_ arguments: [String], include: [String]) throws -> [String] {
        var walker = Walker(include: include)
        for argument in arguments {
            var status = stat()
            guard stat(argument, &status) == 0 else {
                throw ClassifyError("\(argument): \(String(cString: strerror(errno)))")
            }
            if (status.st_mode & S_IFMT) == S_IFDIR {
                try walker.walk(argument, status)
            } else {
                walker.found.insert(argument)
            }
        }
        return walker.found.sorted()
    }

    private struct DirectoryID: Hashable {
        let device: UInt64
        let inode: UInt64
    }

    private struct Walker {
        let include: [String]
        var found = Set<String>()
        var visited = Set<DirectoryID>()

        mutating func walk(_ directory: String, _ status: stat) throws {
            guard visited.insert(DirectoryID(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))).inserted else { return }
            guard let stream = opendir(directory) else {
                throw ClassifyError("\(directory): cannot list: \(String(cString: strerror(errno)))")
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
                // A dangling link is kept if its name qualifies: reading it then fails with the reason.
                if stat(path, &child) == 0 && (child.st_mode & S_IFMT) == S_IFDIR {
                    try walk(path, child)
                } else if wanted(name) {
                    found.insert(path)
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
    }
}
