import CCrypto
import Foundation

/// What rows of a classify output depend on, kept beside it (`OUTPUT.pth-run.json`) so that `--resume`
/// can refuse to append rows of a different kind: another architecture, other weights (by content, so
/// a retrained file of the same name and size is caught), other preprocessing numbers, other class
/// names, another `--topk` or format. Rows carry none of this themselves, so a mix could not be
/// told apart afterwards.
struct ResumeRecord: Equatable {
    /// The facts by name, as `difference(from:)` reports them.
    var facts: [String: String]

    /// The names in the order they are compared and reported.
    static let names = ["architecture", "weights", "preprocessing", "labels", "topk", "format"]

    /// The sidecar file of `output`.
    static func path(beside output: String) -> String { output + ".pth-run.json" }

    init(facts: [String: String]) {
        self.facts = facts
    }

    init(run: RunDescription, weightsDigest: String, topK: Int, format: ClassifyFormat) {
        facts = [
            "architecture": run.architecture,
            "weights": "sha256 \(weightsDigest)",
            "preprocessing": run.preset.map(RunDescription.summary(of:)) ?? "none",
            "labels": run.labels.map { "\($0.names.count) names, sha256 \(Self.sha256(Data($0.names.joined(separator: "\n").utf8)))" } ?? "none",
            "topk": "\(topK)",
            "format": format.rawValue,
        ]
    }

    /// The record beside `output`, or nil when there is none (an output written before records were kept).
    static func read(beside output: String) throws -> ResumeRecord? {
        let path = path(beside: output)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: String]
        else {
            throw CommandFailure(.fatal, "\(path): not the run record pth writes beside its output; remove it to resume without the check")
        }
        return ResumeRecord(facts: object)
    }

    /// Writes the record beside `output`, replacing an earlier one.
    func write(beside output: String) throws {
        let data = try JSONSerialization.data(withJSONObject: facts, options: [.sortedKeys])
        try BatchOutput(path: Self.path(beside: output), append: false).write(String(decoding: data, as: UTF8.self) + "\n")
    }

    /// The first fact that differs, as `topk: 5 in the earlier run, 3 now`; nil when none does.
    func difference(from earlier: ResumeRecord) -> String? {
        for name in Self.names where facts[name] != earlier.facts[name] {
            return "\(name): \(earlier.facts[name] ?? "not recorded") in the earlier run, \(facts[name] ?? "none") now"
        }
        return nil
    }

    /// SHA-256 of the file at `path` in hex, read through a memory map.
    static func sha256(ofFile path: String) throws -> String {
        sha256(try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped))
    }

    /// SHA-256 of `data` in hex.
    static func sha256(_ data: Data) -> String {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        _ = data.withUnsafeBytes { SHA256($0.baseAddress?.assumingMemoryBound(to: UInt8.self), $0.count, &digest) }
        return digest.map { String(format: "%02x", $0) }.joined()
    }
}
