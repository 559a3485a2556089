import Foundation
import PthCheckpoint
import XCTest

/// The fuzzers' minimised corpora replayed through the loader as the targets drive it (see
/// tools/fuzz_loader.sh): `fixtures/fuzz-corpus/` (the byte-mutating target's inputs) and
/// `fixtures/fuzz-corpus-pickle/checkpoints/` (the checkpoints the structure-aware target generated from
/// its minimised choices). Every input must end in a loaded checkpoint or a one-line `CheckpointError`, never a trap or an error of
/// another type.
final class FuzzCorpusTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures")

    func testEveryCorpusInputLoadsOrFailsWithOneLine() throws {
        try replay("fuzz-corpus", atLeast: 500)
    }

    func testEveryGeneratedPickleCheckpointLoadsOrFailsWithOneLine() throws {
        try replay("fuzz-corpus-pickle/checkpoints", atLeast: 300)
    }

    private func replay(_ corpus: String, atLeast minimum: Int) throws {
        let folder = Self.fixtures.appendingPathComponent(corpus)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        XCTAssertGreaterThan(names.count, minimum, "the committed corpus")
        var loaded = 0, refused = 0
        for name in names {
            let data = try Data(contentsOf: folder.appendingPathComponent(name))
            do {
                _ = try data.withUnsafeBytes { try Checkpoint.scan(bytes: $0) }
            } catch {
                XCTAssertTrue(error is CheckpointError, "\(name): scan threw \(type(of: error)), not a CheckpointError: \(error)")
            }
            do {
                let scanned = try? data.withUnsafeBytes { try Checkpoint.scan(bytes: $0) }
                let checkpoint = try data.withUnsafeBytes { try Checkpoint(bytes: $0) }
                XCTAssertEqual(scanned?.globals, checkpoint.globals, name)
                _ = checkpoint.opaqueObjects
                for entry in try checkpoint.stateDict().entries {
                    XCTAssertEqual(entry.tensor.contiguousBytes().count, entry.tensor.count * entry.tensor.dtype.byteSize, name)
                    XCTAssertEqual(entry.tensor.floats().count, entry.tensor.count, name)
                }
                loaded += 1
            } catch {
                let message = "\(error)"
                XCTAssertTrue(error is CheckpointError, "\(name): threw \(type(of: error)), not a CheckpointError: \(message)")
                XCTAssertFalse(message.isEmpty || message.contains("\n"), "\(name): \(message)")
                refused += 1
            }
        }
        print("\(corpus): \(names.count) inputs, \(loaded) loaded, \(refused) refused with a one-line error")
    }
}
