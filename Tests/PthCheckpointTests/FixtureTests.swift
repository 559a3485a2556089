import Foundation
import XCTest

@testable import PthCheckpoint

/// Every checkpoint under fixtures/checkpoints/ against what torch.load returned for it
/// (the NAME.json next to each file, written by tools/fixtures/checkpoints.py).
final class FixtureTests: XCTestCase {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/checkpoints")

    struct Expected: Decodable {
        struct Entry: Decodable { let name: String; let dtype: String; let shape: [Int] }
        let format: String
        let tensors: [Entry]
        let opaque: [String]
    }

    static func path(_ name: String) -> String { directory.appendingPathComponent("\(name).pth").path }

    func testEveryFixtureMatchesTorch() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path)
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
        XCTAssertGreaterThanOrEqual(names.count, 19)
        for name in names {
            let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: Self.directory.appendingPathComponent("\(name).json")))
            let checkpoint = try Checkpoint(contentsOf: Self.path(name))
            XCTAssertEqual(checkpoint.format.rawValue, expected.format, name)
            XCTAssertEqual(checkpoint.opaqueObjects, expected.opaque, name)
            let stateDict = try checkpoint.stateDict()
            XCTAssertEqual(stateDict.names, expected.tensors.map(\.name), name)
            for (entry, want) in zip(stateDict.entries, expected.tensors) {
                XCTAssertEqual(entry.tensor.dtype.rawValue, want.dtype, "\(name) \(entry.name)")
                XCTAssertEqual(entry.tensor.shape, want.shape, "\(name) \(entry.name)")
            }
        }
    }

    /// views(): base = arange(24); matrix = base.view(4, 6); row = matrix[1]; transposed = matrix.t();
    /// column = matrix[:, 2]; tail = base[17:] — in all three formats.
    func testViewsShareOneStorageAndReadCorrectly() throws {
        for format in ["zip", "legacy", "tar"] {
            let sd = try Checkpoint(contentsOf: Self.path("\(format)_views")).stateDict()
            let base = try XCTUnwrap(sd["base"]), matrix = try XCTUnwrap(sd["matrix"])
            XCTAssertTrue(base.storage === matrix.storage, format)
            XCTAssertTrue(sd["transposed"]!.storage === base.storage, format)
            XCTAssertEqual(base.floats(), (0..<24).map(Float.init), format)
            XCTAssertEqual(sd["row"]!.storageOffset, 6, format)
            XCTAssertEqual(sd["row"]!.floats(), (6..<12).map(Float.init), format)
            XCTAssertEqual(sd["transposed"]!.strides, [1, 6], format)
            XCTAssertFalse(sd["transposed"]!.isContiguous, format)
            XCTAssertEqual(sd["transposed"]!.floats(), (0..<6).flatMap { c in (0..<4).map { r in Float(r * 6 + c) } }, format)
            XCTAssertEqual(sd["column"]!.floats(), [2, 8, 14, 20], format)
            XCTAssertEqual(sd["tail"]!.floats(), (17..<24).map(Float.init), format)
        }
    }

    /// every_dtype(): one source tensor cast to each dtype, so every float dtype converts to
    /// (nearly) the same Float32 values and the integer ones to the clamped, truncated values.
    func testEveryDTypeConvertsConsistentlyAcrossFormats() throws {
        let reference = try Checkpoint(contentsOf: Self.path("zip_dtypes")).stateDict()
        let float32 = reference["float32"]!.floats()
        XCTAssertEqual(reference["float64"]!.floats(), float32)
        for (name, tolerance) in [("float16", Float(0.1)), ("bfloat16", Float(1.0))] {
            for (a, b) in zip(reference[name]!.floats(), float32) { XCTAssertEqual(a, b, accuracy: tolerance, name) }
        }
        let clamped = float32.map { Float(Int(max(-100, min(100, $0)))) }
        for name in ["int64", "int32", "int16", "int8"] { XCTAssertEqual(reference[name]!.floats(), clamped, name) }
        XCTAssertEqual(reference["bool"]!.floats(), float32.map { $0 > 0 ? 1 : 0 })
        for other in ["legacy_dtypes", "tar_dtypes", "zip_big_endian"] {
            let sd = try Checkpoint(contentsOf: Self.path(other)).stateDict()
            XCTAssertEqual(sd.names, reference.names, other)
            for entry in reference.entries {
                XCTAssertEqual(sd[entry.name]?.contiguousBytes(), entry.tensor.contiguousBytes(), "\(other) \(entry.name)")
            }
        }
    }

    func testTrainingCheckpointKeepsEverythingAsData() throws {
        for name in ["zip_training", "legacy_training"] {
            let checkpoint = try Checkpoint(contentsOf: Self.path(name))
            guard case .int(7)? = checkpoint.root["epoch"] else { return XCTFail("\(name) epoch") }
            guard case .float(76.25)? = checkpoint.root["best_acc"] else {
                return XCTFail("\(name) best_acc is \(String(describing: checkpoint.root["best_acc"]))")
            }
            guard case .opaque(let args)? = checkpoint.root["args"] else { return XCTFail("\(name) args") }
            XCTAssertEqual(args.name, "argparse.Namespace")
            guard case .float(0.1)? = args.state?["lr"], case .string("linear")? = args.state?["arch"] else {
                return XCTFail("\(name) args state \(String(describing: args.state))")
            }
            guard case .dict(let optimizer)? = checkpoint.root["optimizer"] else { return XCTFail("\(name) optimizer") }
            XCTAssertEqual(optimizer.map { $0.key.stringValue }, ["state", "param_groups"])
            XCTAssertEqual(try checkpoint.stateDict().names, ["weight", "bias"])
        }
    }

    func testScalarAndEmpty() throws {
        let scalar = try Checkpoint(contentsOf: Self.path("zip_scalar")).stateDict()
        XCTAssertEqual(scalar["zero_d"]!.shape, [])
        XCTAssertEqual(scalar["zero_d"]!.floats(), [3.5])
        XCTAssertEqual(scalar["count"]!.floats(), [12])
        XCTAssertEqual(try Checkpoint(contentsOf: Self.path("zip_empty")).stateDict().count, 0)
    }

    func testStoredZipEntriesAreMappedInPlaceAndDeflatedOnesReadTheSame() throws {
        let stored = try Checkpoint(contentsOf: Self.path("zip_basic")).stateDict()
        for entry in stored.entries {
            XCTAssertEqual(Int(bitPattern: entry.tensor.storage.bytes.baseAddress) % 64, 0, entry.name)
        }
        let deflated = try Checkpoint(contentsOf: Self.path("zip_deflated")).stateDict()
        XCTAssertEqual(deflated.names, stored.names)
        for entry in stored.entries {
            XCTAssertEqual(deflated[entry.name]?.floats(), entry.tensor.floats(), entry.name)
        }
    }
}
