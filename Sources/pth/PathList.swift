import Foundation

/// Paths given as a list instead of arguments — `-` (standard input) or `--files-from FILE` — one per
/// line, or NUL-separated with `-0` (as `find -print0` writes them, for names holding a newline).
enum PathList {
    /// The paths in `data`; empty entries (a final separator, blank lines) are ignored, and a line's
    /// trailing carriage return is dropped.
    static func paths(in data: Data, nulSeparated: Bool) -> [String] {
        data.split(separator: nulSeparated ? 0 : UInt8(ascii: "\n"), omittingEmptySubsequences: true).compactMap { entry in
            var bytes = entry
            if !nulSeparated && bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
            return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
        }
    }

    /// `arguments` with `-` replaced by the paths read from standard input, then the paths of `file`.
    static func expand(_ arguments: [String], filesFrom file: String?, nulSeparated: Bool) throws -> [String] {
        var result: [String] = []
        for argument in arguments {
            if argument == "-" {
                result += paths(in: FileHandle.standardInput.readDataToEndOfFile(), nulSeparated: nulSeparated)
            } else {
                result.append(argument)
            }
        }
        if let file {
            do {
                let data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: file))
                result += paths(in: data, nulSeparated: nulSeparated)
            } catch {
                throw CommandFailure(.fatal, "--files-from \(FailureReport.describe(error))")
            }
        }
        return result
    }
}
