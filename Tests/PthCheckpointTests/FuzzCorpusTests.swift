import Foundation
import XCTest
import PthCheckpoint

/// The fuzzer's minimised corpus (`fixtures/fuzz-corpus/`: one input per coverage feature the libFuzzer
/// target reached, see tools/fuzz_loader.sh) replayed through the loader as the target drives it: every
/// input must end in a loaded checkpoint or a one-line error, never a trap.
final class FuzzCorpusTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/fuzz-corpus")

    func testEveryCorpusInputLoadsOrFailsWithOneLine() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).sorted()
        XCTAssertGreaterThan(names.count, 500, "the committed corpus")
        var loaded = 0, refused = 0
        for name in names {
            let data = try Data(contentsOf: Self.folder.appendingPathComponent(name))
            do {
                let checkpoint = try data.withUnsafeBytes { try Checkpoint(bytes: $0) }
                _ = checkpoint.opaqueObjects
                for entry in try checkpoint.stateDict().entries {
                    XCTAssertEqual(entry.tensor.contiguousBytes().count, entry.tensor.count * entry.tensor.dtype.byteSize, name)
                    XCTAssertEqual(entry.tensor.floats().count, entry.tensor.count, name)
                }
                loaded += 1
            } catch {
                let message = "\(error)"
                XCTAssertFalse(message.isEmpty || message.contains("\n"), "\(name): \(message)")
                refused += 1
            }
        }
        print("fuzz corpus: \(names.count) inputs, \(loaded) loaded, \(refused) refused with a one-line error")
    }
}
