import Foundation
import XCTest

@testable import PthCheckpoint

/// Inputs built to hurt: each must end in a `CheckpointError` (or an inert opaque value), never a
/// crash, a hang, or an allocation the file cannot back.
final class HostileInputTests: XCTestCase {
    /// A legacy-format stream around `pickle`: magic number, protocol 1001, empty sys_info, then
    /// `pickle`, then an empty storage key list.
    static func legacyStream(_ pickle: [UInt8]) -> [UInt8] {
        let magic: [UInt8] = [0x80, 0x02, 0x8A, 0x0A] + LegacyFormat.magicNumber + [0x2E]
        let version: [UInt8] = [0x80, 0x02, 0x4D, 0xE9, 0x03, 0x2E]
        return magic + version + Array("}.".utf8) + pickle + Array("].".utf8)
    }

    static func load(_ bytes: [UInt8]) throws -> Checkpoint {
        try bytes.withUnsafeBytes { try Checkpoint(bytes: $0) }
    }

    func expectError(_ bytes: [UInt8], containing text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try Self.load(bytes), file: file, line: line) { error in
            guard let error = error as? CheckpointError else { return XCTFail("not a CheckpointError: \(error)", file: file, line: line) }
            XCTAssertTrue(error.description.contains(text), "\(error) lacks \(text)", file: file, line: line)
            XCTAssertFalse(error.description.contains("\n"), file: file, line: line)
        }
    }

    func testOsSystemIsRecordedNeverCalled() throws {
        let pickle = Array("cos\nsystem\n(S'touch /tmp/pwned'\ntR.".utf8)
        let checkpoint = try Self.load(Self.legacyStream(pickle))
        XCTAssertEqual(checkpoint.opaqueObjects, ["os.system"])
        guard case .opaque(let call) = checkpoint.root, case .string("touch /tmp/pwned")? = call.arguments.first else {
            return XCTFail("root is \(checkpoint.root)")
        }
        XCTAssertEqual(call.name, "os.system")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/pwned"))
        XCTAssertThrowsError(try checkpoint.stateDict())
    }

    func testUnknownOpcodeNamesItselfAndItsOffset() {
        expectError(Self.legacyStream([0x80, 0x02, 0xFF]), containing: "legacy pickle offset 25: unknown opcode 0xff")
    }

    func testMemoGetOutOfRange() {
        expectError(Self.legacyStream([0x80, 0x02, 0x5D, 0x71, 0x00, 0x68, 0x29, 0x2E]), containing: "BINGET 41 but memo has 1 entries")
    }

    func testLengthBeyondTheInput() {
        expectError(Self.legacyStream([0x58, 0xFF, 0xFF, 0xFF, 0x7F, 0x41]), containing: "BINUNICODE length 2147483647 exceeds")
        expectError(Self.legacyStream([0x8E] + [UInt8](repeating: 0xFF, count: 8)), containing: "BINBYTES8 length")
        expectError(Self.legacyStream([0x8B, 0x00, 0x00, 0x00, 0x80]), containing: "LONG4 negative length")
    }

    func testDeepNestingIsRefusedWithoutBlowingTheStack() {
        let depth = 1_000_000
        let lists = [UInt8](repeating: 0x5D, count: depth) + [UInt8](repeating: 0x61, count: depth - 1) + [0x2E]
        expectError(Self.legacyStream(lists), containing: "nesting deeper than \(RecursionBudget.maximumDepth) levels")
        let marks = [UInt8](repeating: 0x28, count: depth) + [0x2E]
        expectError(Self.legacyStream(marks), containing: "STOP needs a value")
    }

    func testSelfContainingListIsRefused() {
        // EMPTY_LIST, BINPUT 0, BINGET 0, APPEND, STOP: l = []; l.append(l)
        expectError(Self.legacyStream([0x5D, 0x71, 0x00, 0x68, 0x00, 0x61, 0x2E]), containing: "contains itself")
    }

    func testHugeDecimalIsRefusedQuickly() {
        let digits = [UInt8](repeating: UInt8(ascii: "7"), count: 200_000)
        expectError(Self.legacyStream([0x4C] + digits + [0x0A, 0x2E]), containing: "is not an integer")
    }

    func testWrongMagicAndProtocol() {
        expectError(Array("}.".utf8) + [UInt8](repeating: 0, count: 10), containing: "not a PyTorch checkpoint")
        var wrongVersion = Self.legacyStream(Array("}.".utf8))
        wrongVersion[wrongVersion.firstIndex(of: 0xE9)!] = 0xEA
        expectError(wrongVersion, containing: "protocol version is not 1001")
    }

    func testTensorReachingPastItsStorageIsRefused() {
        let storage = TensorStorage(dtype: .float32, bytes: [UInt8](repeating: 0, count: 16))
        XCTAssertThrowsError(try Tensor(storage: storage, storageOffset: 0, shape: [2, 3], strides: [3, 1]))
        XCTAssertThrowsError(try Tensor(storage: storage, storageOffset: -1, shape: [1], strides: [1]))
        XCTAssertThrowsError(try Tensor(storage: storage, storageOffset: 0, shape: [Int.max, 2], strides: [2, 1]))
        XCTAssertThrowsError(try Tensor(storage: storage, storageOffset: 0, shape: [2], strides: [-1]))
        XCTAssertNoThrow(try Tensor(storage: storage, storageOffset: 0, shape: [2, 2], strides: [2, 1]))
    }

    /// Every fixture cut short at many points, in every format: always an error, never a crash.
    func testTruncatedFixturesFailCleanly() throws {
        let directory = FixtureTests.directory
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasSuffix(".pth") {
            let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent(name)))
            // A tar ends in zero blocks that carry nothing: cutting there loses no data, so cut before them.
            let content = (bytes.lastIndex { $0 != 0 } ?? 0) + 1
            for cut in Set(Array(stride(from: 1, to: content, by: max(1, content / 37))) + [content - 1]) {
                XCTAssertThrowsError(try Self.load(Array(bytes[0..<cut])), "\(name) cut at \(cut)") { error in
                    XCTAssertTrue(error is CheckpointError, "\(name) cut at \(cut): \(error)")
                }
            }
        }
    }
}
