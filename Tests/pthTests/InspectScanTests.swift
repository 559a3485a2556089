import Foundation
import XCTest

/// `pth inspect --scan`: exit status 3 exactly when plain pickle.load would run a foreign global.
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
        XCTAssertEqual(training.status, 3)
        XCTAssertTrue(training.stdout.contains("FOREIGN      argparse.Namespace"), training.stdout)
    }

    func testScanJSONSaysTheSameAsTheTable() throws {
        let path = CommandLineRunner.fixture("checkpoints/zip_training.pth")
        let result = try CommandLineRunner.run(["inspect", "--scan", "--json", path])
        XCTAssertEqual(result.status, 3, result.stderr)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(report["format"] as? String, "zip")
        let globals = try XCTUnwrap(report["globals"] as? [[String: Any]])
        let namespace = try XCTUnwrap(globals.first { $0["name"] as? String == "argparse.Namespace" })
        XCTAssertEqual(namespace["weights_only_allowed"] as? Bool, false)
        XCTAssertEqual(namespace["count"] as? Int, 1)
        XCTAssertEqual(report["refused"] as? Int, globals.filter { $0["weights_only_allowed"] as? Bool == false }.count)
        let table = try CommandLineRunner.run(["inspect", "--scan", path]).stdout
        for global in globals { XCTAssertTrue(table.contains(global["name"] as! String), "\(global)") }
        let missing = try CommandLineRunner.run(["inspect", "--scan", "--json", "/nonexistent/x.pth"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.hasPrefix("{\"error\": "), missing.stderr)
    }

    /// The 2017 tar format pickles storage and tensor types in the `storages` and `tensors` members'
    /// record headers, outside the `pickle` member: a foreign global there (which `_legacy_load`
    /// would import and call) must be listed too, and the storage types of a clean file with it.
    func testTarRecordHeaderGlobalsAreScanned() throws {
        let clean = try CommandLineRunner.run(["inspect", "--scan", CommandLineRunner.fixture("checkpoints/tar_basic.pth")])
        XCTAssertTrue(clean.stdout.contains("allowlisted  torch.FloatStorage"), clean.stdout)
        XCTAssertTrue(clean.stdout.contains("allowlisted  torch.FloatTensor"), clean.stdout)

        var bytes = try Data(contentsOf: URL(fileURLWithPath: CommandLineRunner.fixture("checkpoints/tar_basic.pth")))
        let storageType = Data("torch\nFloatStorage".utf8), foreign = Data("posix\nposix_spawnp".utf8)
        let range = try XCTUnwrap(bytes.range(of: storageType))
        bytes.replaceSubrange(range, with: foreign)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tar_foreign_storage_type.pth")
        try bytes.write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }

        let scan = try CommandLineRunner.run(["inspect", "--scan", path.path])
        XCTAssertEqual(scan.status, 3, scan.stdout + scan.stderr)
        XCTAssertTrue(scan.stdout.contains("FOREIGN      posix.posix_spawnp"), scan.stdout)
        let load = try CommandLineRunner.run(["inspect", path.path])
        XCTAssertEqual(load.status, 2)
        XCTAssertTrue(load.stderr.contains("storage type posix.posix_spawnp is not supported"), load.stderr)
    }
}
