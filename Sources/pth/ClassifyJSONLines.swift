import Foundation

/// `--format jsonl`: `{"path": …, "top": [{"index": …, "label": …, "prob": …}, …]}` per image, or
/// `{"path": …, "error": …}` for one that could not be read.
enum ClassifyJSONLines {
    static func line(for result: ClassifyResult) -> String {
        let path = JSONString.quoted(result.path)
        if let error = result.error {
            return "{\"path\": \(path), \"error\": \(JSONString.quoted(error))}\n"
        }
        let top = result.top.map {
            "{\"index\": \($0.index), \"label\": \(JSONString.quoted($0.label)), \"prob\": \(Float($0.probability))}"
        }
        return "{\"path\": \(path), \"top\": [\(top.joined(separator: ", "))]}\n"
    }

    /// The `path` member of a line, if the line is a JSON object holding one.
    static func path(ofLine line: Substring) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
        return object["path"] as? String
    }
}
