import Foundation
import XCTest

@testable import PthCheckpoint

/// tools/fixtures/allowlist.json is the one list the fixture generators read; the Swift tables must say the same.
final class AllowlistTests: XCTestCase {
    struct Lists: Decodable {
        // swift-format-ignore: AlwaysUseLowerCamelCase
        let swift_pth: [String]
        // swift-format-ignore: AlwaysUseLowerCamelCase
        let weights_only: [String]
    }

    static func lists() throws -> Lists {
        let url = FixtureTests.directory.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("tools/fixtures/allowlist.json")
        return try JSONDecoder().decode(Lists.self, from: Data(contentsOf: url))
    }

    func testPickleGlobalConstructorsAgreeWithTheGenerators() throws {
        let listed = Set(try Self.lists().swift_pth), swift = Set(PickleGlobal.constructors.keys)
        XCTAssertEqual(swift.subtracting(listed), [], "PickleGlobal.constructors has these, tools/fixtures/allowlist.json's swift_pth lacks them")
        XCTAssertEqual(listed.subtracting(swift), [], "tools/fixtures/allowlist.json's swift_pth has these, PickleGlobal.constructors lacks them")
    }

    func testWeightsOnlyListIsTheOneTorchPrinted() throws {
        let listed = Set(try Self.lists().weights_only)
        XCTAssertEqual(WeightsOnlyAllowlist.names.subtracting(listed), [], "WeightsOnlyAllowlist has these, torch's _get_allowed_globals() lacks them")
        XCTAssertEqual(listed.subtracting(WeightsOnlyAllowlist.names), [], "torch's _get_allowed_globals() has these, WeightsOnlyAllowlist lacks them")
        XCTAssertTrue(PickleGlobal(module: "__builtin__", name: "set").isWeightsOnlyAllowed)
        XCTAssertTrue(PickleGlobal(module: "torch._utils", name: "_rebuild_qtensor").isWeightsOnlyAllowed)
        XCTAssertFalse(PickleGlobal(module: "numpy.core.multiarray", name: "scalar").isWeightsOnlyAllowed)
    }
}
