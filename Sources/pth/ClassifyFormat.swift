import ArgumentParser

/// How `pth classify` writes its results: one whole line per input file in every format (a CSV line
/// may hold a quoted line break), so an output cut short anywhere loses at most its last, partial line.
enum ClassifyFormat: String, CaseIterable, ExpressibleByArgument {
    case table, csv, jsonl

    /// What a fresh output starts with (csv's header row), or nil.
    func header(topK: Int) -> String? {
        switch self {
        case .csv: return ClassifyCSV.header(topK: topK)
        case .table, .jsonl: return nil
        }
    }

    /// Whether `line` is a header this format writes (for any `--topk`).
    func isHeader(_ line: Substring) -> Bool {
        self == .csv && line.hasPrefix("path,index_1,label_1,prob_1,")
    }

    /// The line for one result, newline included.
    func line(for result: ClassifyResult, topK: Int, pathWidth: Int) -> String {
        switch self {
        case .table: return ClassifyTable.line(for: result, pathWidth: pathWidth)
        case .csv: return ClassifyCSV.line(for: result, topK: topK)
        case .jsonl: return ClassifyJSONLines.line(for: result)
        }
    }

    /// The input path a complete line written by this format is about, if it is one of `known`
    /// (keyed by `writtenPath(_:)`); nil for headers and lines about other files.
    func path(ofLine line: Substring, known: [String: String]) -> String? {
        switch self {
        case .table: return ClassifyTable.path(ofLine: line, known: known)
        case .csv: return ClassifyCSV.path(ofLine: line).flatMap { known[$0] }
        case .jsonl: return ClassifyJSONLines.path(ofLine: line).flatMap { known[$0] }
        }
    }

    /// A path as this format spells it once read back: JSON escapes anything and CSV quotes it, the
    /// table writes line breaks inside a path as `\n` / `\r` so every result stays one line.
    func writtenPath(_ path: String) -> String {
        self == .table ? ClassifyTable.singleLine(path) : path
    }
}
