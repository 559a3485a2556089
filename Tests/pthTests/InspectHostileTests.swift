import Foundation
import XCTest

/// `pth inspect` and `pth inspect --scan` over every file in fixtures/hostile/: each run ends by exiting
/// (never by a signal such as the stack overflow a self-referencing file once caused), with status 0, 2
/// or 3, and a refused file gets exactly one `error:` line saying what expected.json says.
final class InspectHostileTests: XCTestCase {
    func testEveryHostileFileExitsWithOneErrorLineOrAReport() throws {
        let directory = CommandLineRunner.repositoryRoot.appendingPathComponent("fixtures/hostile")
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("expected.json"))) as! [String: [String: Any]]
        XCTAssertGreaterThanOrEqual(expected.count, 54)
        for (name, outcome) in expected.sorted(by: { $0.key < $1.key }) {
            let path = CommandLineRunner.fixture("hostile/\(name).pth")
            let inspect = try run(["inspect", path], name)
            if let message = outcome["error"] as? String {
                XCTAssertEqual(inspect.status, 2, name)
                XCTAssertTrue(
                    inspect.stderr.contains(message),
                    "\(name): \(inspect.stderr) lacks expected.json's \"\(message)\" (HostileCorpusTests says how to reword)")
            }
            _ = try run(["inspect", "--scan", path], name)
        }
    }

    /// Runs `pth arguments…` and checks how it ended: by exiting, with 0, 2 or 3, and one `error:` line exactly when 2.
    private func run(_ arguments: [String], _ name: String) throws -> CommandLineRunner.Result {
        let result = try CommandLineRunner.run(arguments)
        let run = "\(arguments.dropLast().joined(separator: " ")) \(name)"
        XCTAssertEqual(result.reason, .exit, "\(run) ended by signal \(result.status)")
        XCTAssertTrue([0, 2, 3].contains(result.status), "\(run): status \(result.status)")
        if result.status == 2 {
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, "\(run): \(result.stderr)")
            XCTAssertTrue(result.stderr.hasPrefix("error: \(arguments.last!): "), "\(run): \(result.stderr)")
        } else {
            XCTAssertEqual(result.stderr, "", run)
        }
        return result
    }
}
