import Foundation
import XCTest

@testable import PthCheckpoint

/// fixtures/hostile/: every file ends as tools/fixtures/hostile.py's expected.json says — a one-line
/// error naming what and where, or a load in which foreign globals stay inert opaque values.
///
/// expected.json's `error` entries are fragments of swift-pth's own error wording, written by hostile.py
/// beside each payload. Rewording an error therefore means changing the fragment in both files by hand
/// (the .pth files do not depend on it, so nothing needs regenerating); the tests below say so when
/// the wording and expected.json part, and when expected.json and hostile.py part.
final class HostileCorpusTests: XCTestCase {
    static let directory = FixtureTests.directory.deletingLastPathComponent().appendingPathComponent("hostile")
    static let generator = FixtureTests.directory.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("tools/fixtures/hostile.py")

    struct Expectation: Decodable {
        let error: String?
        let opaque: [String]?
        let tensors: Int?
        let scan: Int32
    }

    static func expectations() throws -> [String: Expectation] {
        try JSONDecoder().decode([String: Expectation].self, from: Data(contentsOf: directory.appendingPathComponent("expected.json")))
    }

    func testEveryHostileFileEndsAsExpected() throws {
        let expectations = try Self.expectations()
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path).filter { $0.hasSuffix(".pth") }
        XCTAssertEqual(Set(files.map { String($0.dropLast(4)) }), Set(expectations.keys), "every file has an expectation")
        XCTAssertGreaterThanOrEqual(files.count, 30)
        for (name, expected) in expectations.sorted(by: { $0.key < $1.key }) {
            let path = Self.directory.appendingPathComponent("\(name).pth").path
            if let message = expected.error {
                XCTAssertThrowsError(try Checkpoint(contentsOf: path).stateDict(), name) { error in
                    guard let error = error as? CheckpointError else { return XCTFail("\(name): \(error)") }
                    XCTAssertTrue(
                        error.description.contains(message),
                        "\(name): the error \"\(error)\" lacks expected.json's \"\(message)\"; if the new wording is "
                            + "meant, change that fragment in fixtures/hostile/expected.json and tools/fixtures/hostile.py alike")
                    XCTAssertFalse(error.description.contains("\n"), name)
                    XCTAssertLessThan(error.description.count, 400, name)
                }
            } else {
                let checkpoint = try Checkpoint(contentsOf: path)
                XCTAssertEqual(checkpoint.opaqueObjects, expected.opaque ?? [], name)
                if let tensors = expected.tensors {
                    XCTAssertEqual(try checkpoint.stateDict().count, tensors, name)
                } else {
                    XCTAssertThrowsError(try checkpoint.stateDict(), name)
                }
                XCTAssertEqual(try Checkpoint.scan(contentsOf: path).globals.filter { !$0.isAllowlisted }.map(\.name), expected.opaque ?? [], name)
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/swift-pth-pwned"))
    }

    /// A fragment edited in expected.json alone would be lost at the next regeneration.
    func testExpectedWordingIsTheGeneratorsWording() throws {
        let generator = try String(contentsOf: Self.generator, encoding: .utf8)
        for (name, expected) in try Self.expectations().sorted(by: { $0.key < $1.key }) {
            guard let message = expected.error else { continue }
            XCTAssertTrue(
                generator.contains(message),
                "\(name): fixtures/hostile/expected.json expects \"\(message)\", which tools/fixtures/hostile.py does not write; "
                    + "put the same words in both")
        }
    }

    func testForeignObjectKeepsItsArgumentsAndState() throws {
        let checkpoint = try Checkpoint(contentsOf: Self.directory.appendingPathComponent("posix_system_newobj_build.pth").path)
        guard case .opaque(let object) = checkpoint.root else { return XCTFail("root is \(checkpoint.root)") }
        XCTAssertEqual(object.name, "posix.system")
        guard case .string("id")? = object.state?["cmd"] else { return XCTFail("state \(String(describing: object.state))") }
    }
}
