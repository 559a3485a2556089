import Foundation
import XCTest

/// `pth inspect --scan`: exit status 2 exactly when plain pickle.load would run a foreign global.
final class InspectScanTests: XCTestCase {
    func testScanExitStatusMatchesTheHostileCorpus() throws {
        let directory = CommandLineRunner.repositoryRoot.appendingPathComponent("fixtures/hostile")
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("expected.json"))) as! [String: [String: Any]]
        for (name, outcome) in expected where outcome["error"] == nil {
            let result = try CommandLineRunner.run(["inspect", "--scan", CommandLineRunner.fixture("hostile/\(name).pth")])
            XCTAssertEqual(result.status, outcome["scan"] as? Int32, "\(name): \(result.stdout)\(result.stderr)")
            for foreign in outcome["opaque"] as? [String] ?? [] {
                XCTAssertTrue(result.stdout.contains("FOREIGN      \(foreign)"), "\(name): \(result.stdout)")
            }
        }
    }

    func testCleanCheckpointScansAsAllowlisted() throws {
        for name in ["zip_basic", "legacy_basic", "tar_basic"] {
            let result = try CommandLineRunner.run(["inspect", "--scan", CommandLineRunner.fixture("checkpoints/\(name).pth")])
            XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
            XCTAssertTrue(result.stdout.contains("allowlisted  torch._utils._rebuild_tensor_v2") || name == "tar_basic", result.stdout)
            XCTAssertTrue(result.stdout.hasSuffix("every global is an allowlisted data constructor\n"), result.stdout)
        }
        let training = try CommandLineRunner.run(["inspect", "--scan", CommandLineRunner.fixture("checkpoints/zip_training.pth")])
        XCTAssertEqual(training.status, 2)
        XCTAssertTrue(training.stdout.contains("FOREIGN      argparse.Namespace"), training.stdout)
    }
}
