import Foundation

/// The one JSON string writer of the command-line tool: every JSON line or document `pth` prints
/// (`inspect --json`, `classify --format jsonl`, `embed --format jsonl`, `--meta`, `{"error": …}`)
/// quotes its text here.
enum JSONString {
    /// `text` as a JSON string literal, quotes included: `"`, `\` and control characters escaped,
    /// everything else (non-ASCII included) written as it is, in UTF-8.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
