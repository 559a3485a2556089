/// `--format csv` (RFC 4180): `path`, then `index_r,label_r,prob_r` for ranks 1…k, then `error`,
/// which is empty for a classified image (whose rank columns are then all filled). A field holding a
/// comma, quote or line break is quoted, the line break kept as it is.
enum ClassifyCSV {
    static func header(topK: Int) -> String {
        (["path"] + (1...topK).flatMap { ["index_\($0)", "label_\($0)", "prob_\($0)"] } + ["error"]).joined(separator: ",") + "\n"
    }

    static func line(for result: ClassifyResult, topK: Int) -> String {
        var fields = [field(result.path)]
        for prediction in result.top {
            fields += [String(prediction.index), field(prediction.label), "\(Float(prediction.probability))"]
        }
        if let error = result.error {
            // An error row keeps the column count of the header: empty ranks, then the error.
            fields += Array(repeating: "", count: 3 * topK)
            fields.append(field(error))
        } else {
            fields.append("")
        }
        return fields.joined(separator: ",") + "\n"
    }

    /// The first field of a row, unquoted.
    static func path(ofLine line: Substring) -> String? {
        guard line.first == "\"" else { return line.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) }
        var value = ""
        var index = line.index(after: line.startIndex)
        while index < line.endIndex {
            let character = line[index]
            index = line.index(after: index)
            if character != "\"" {
                value.append(character)
            } else if index < line.endIndex && line[index] == "\"" {
                value.append("\"")
                index = line.index(after: index)
            } else {
                return value
            }
        }
        return nil
    }

    private static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || text.hasPrefix(" ") else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
