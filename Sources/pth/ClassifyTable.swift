import Foundation

/// `--format table`, for people: the path padded to a common width, then `prob% label [index]` per
/// rank, or `error: reason`; columns are separated by at least two spaces.
enum ClassifyTable {
    /// Paths longer than this are not padded to, so one long path does not widen every line.
    static let maximumPathWidth = 60

    static func line(for result: ClassifyResult, pathWidth: Int) -> String {
        let path = singleLine(result.path)
        var line = path + String(repeating: " ", count: max(0, min(pathWidth, maximumPathWidth) - path.count))
        if let error = result.error {
            line += "  error: " + singleLine(error)
        } else {
            for prediction in result.top {
                line += "  " + String(format: "%6.2f%%", 100 * prediction.probability) + " \(prediction.label) [\(prediction.index)]"
            }
        }
        return line + "\n"
    }

    /// The known path a line starts with: the text before some run of two or more spaces. The
    /// longest match wins, so a path that itself contains two spaces is still found whole.
    static func path(ofLine line: Substring, known: [String: String]) -> String? {
        var best: String?
        var index = line.startIndex
        while let run = line[index...].range(of: "  ") {
            if let path = known[String(line[..<run.lowerBound])] { best = path }
            index = line.index(after: run.lowerBound)
        }
        return best
    }

    /// `text` with line breaks written as `\n` and `\r`, so it cannot split a line.
    static func singleLine(_ text: String) -> String {
        guard text.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return text }
        return text.replacingOccurrences(of: "\r\n", with: "\\r\\n").replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
    }
}
