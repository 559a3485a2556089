import Foundation

/// The name of each class a network predicts, and where those names came from.
public struct ClassLabels: Sendable, Equatable {
    /// Name of class `i` at index `i`; empty when no names are known (classes are then `class N`).
    public let names: [String]
    /// Where the names came from, for the run's description: a file, the checkpoint, ImageNet, or none.
    public let source: String

    /// Names `names` (index order), said to come from `source`.
    public init(names: [String], source: String) {
        self.names = names
        self.source = source
    }

    /// The names a run uses, in order of precedence: a labels file the user gave, the names the
    /// checkpoint carries, ImageNet's for a 1000-class head, else none. A count that differs from the
    /// network's `classes` is an error naming both.
    public static func resolve(file: String?, checkpoint: (key: String, names: [String])?, classes: Int) throws -> ClassLabels {
        let chosen: ClassLabels
        if let file {
            chosen = ClassLabels(names: try read(contentsOf: file), source: "--labels \(file)")
        } else if let checkpoint {
            chosen = ClassLabels(names: checkpoint.names, source: "checkpoint's \(checkpoint.key)")
        } else if classes == ImageNetClasses.names.count {
            return ClassLabels(names: ImageNetClasses.names, source: "ImageNet-1k")
        } else {
            return ClassLabels(names: [], source: "none (class N)")
        }
        guard chosen.names.count == classes else {
            throw ImageError(path: chosen.source, message: "gives \(chosen.names.count) class names, but the network has \(classes) classes")
        }
        return chosen
    }

    /// Reads a labels file: a JSON list of names, a JSON object from index to name (or from name to
    /// index, as `class_to_idx`), or plain text with one name per line.
    public static func read(contentsOf path: String) throws -> [String] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
            throw ImageError(path: path, message: "labels file \(reason)")
        }
        defer { try? handle.close() }
        let data = handle.readDataToEndOfFile()
        guard let text = String(data: data, encoding: .utf8) else { throw ImageError(path: path, message: "labels file is not UTF-8 text") }
        let trimmed = text.drop { $0.isWhitespace }
        if trimmed.first == "[" || trimmed.first == "{" {
            let json: Any
            do {
                json = try JSONSerialization.jsonObject(with: data)
            } catch {
                throw ImageError(path: path, message: "labels file starts like JSON but is not valid JSON")
            }
            return try names(inJSON: json, path: path)
        }
        // "\r\n" is one Character in Swift, so both line ends are named.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init)
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard !lines.isEmpty else { throw ImageError(path: path, message: "labels file is empty") }
        if let blank = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw ImageError(path: path, message: "line \(blank + 1) is empty; every line names one class, in index order")
        }
        return lines
    }

    private static func names(inJSON json: Any, path: String) throws -> [String] {
        if let list = json as? [Any] {
            return try list.enumerated().map { index, item in
                guard let name = item as? String else { throw ImageError(path: path, message: "entry \(index) of the JSON list is not a string") }
                return name
            }
        }
        guard let object = json as? [String: Any] else { throw ImageError(path: path, message: "labels JSON is neither a list nor an object") }
        var byIndex = [Int: String]()
        for (key, value) in object {
            let pair: (index: Int, name: String)
            if let index = Int(key), let name = value as? String {
                pair = (index, name)
            } else if let index = value as? Int {
                pair = (index, key)
            } else {
                throw ImageError(path: path, message: "entry \"\(key)\" maps neither an index to a name nor a name to an index")
            }
            guard byIndex.updateValue(pair.name, forKey: pair.index) == nil else {
                throw ImageError(path: path, message: "index \(pair.index) is named twice")
            }
        }
        guard let missing = (0..<byIndex.count).first(where: { byIndex[$0] == nil }) else {
            return (0..<byIndex.count).map { byIndex[$0]! }
        }
        throw ImageError(path: path, message: "names \(byIndex.count) classes but none has index \(missing)")
    }
}
