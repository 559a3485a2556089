import Foundation

/// `--resume`: what an earlier run already wrote to the output, read back before appending to it.
enum BatchResume {
    /// Cuts a trailing partial line (left by a kill mid-write) off the file at `path`, then returns its
    /// complete lines; nil if the file does not exist. With `quoted`, a line break inside double quotes
    /// belongs to its line (RFC 4180 CSV, where a quoted field may hold one).
    static func completeLines(of path: String, quoted: Bool = false) throws -> [Substring]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure(.fatal, "\(path): cannot read the earlier output to resume from")
        }
        var ends: [Int] = []
        var inQuotes = false
        for (offset, byte) in data.enumerated() {
            if quoted && byte == UInt8(ascii: "\"") {
                inQuotes.toggle()
            } else if byte == UInt8(ascii: "\n") && !inQuotes {
                ends.append(offset + 1)
            }
        }
        let end = ends.last ?? 0
        if end < data.count && truncate(path, off_t(end)) != 0 {
            throw CommandFailure(.fatal, "\(path): cannot cut its partial last line: \(String(cString: strerror(errno)))")
        }
        var lines: [Substring] = []
        var start = 0
        for lineEnd in ends {
            // Each line without its final newline; empty lines carry nothing to resume.
            if lineEnd - 1 > start {
                lines.append(Substring(String(decoding: data[start..<(lineEnd - 1)], as: UTF8.self)))
            }
            start = lineEnd
        }
        return lines
    }

    /// The inputs (among `inputs`) that the earlier output at `path`, written in `format`, already
    /// has a line for. Refuses an output none of whose lines `format` can read, rather than
    /// classifying everything again after it.
    static func completedPaths(in path: String, format: ClassifyFormat, inputs: [String]) throws -> Set<String> {
        guard let lines = try completeLines(of: path, quoted: format == .csv) else { return [] }
        var known: [String: String] = [:]
        for input in inputs { known[format.writtenPath(input)] = input }
        var done = Set<String>()
        var unreadable = 0
        for line in lines {
            if let input = format.path(ofLine: line, known: known) {
                done.insert(input)
            } else if !format.isHeader(line) {
                unreadable += 1
            }
        }
        if done.isEmpty && unreadable > 0 {
            throw CommandFailure(
                .fatal,
                "\(path): none of its \(unreadable) lines is \(format.rawValue) output about these inputs; "
                    + "resume with the --format and PATHs of the run that wrote it")
        }
        return done
    }
}
