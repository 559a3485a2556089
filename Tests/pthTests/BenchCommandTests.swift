import Foundation
import XCTest

/// `pth bench` prints one line per run in the format `tools/bench_torch.py` shares. Times are not
/// asserted: they belong to the machine, not to the code.
final class BenchCommandTests: XCTestCase {
    func testPrintsMedianLine() throws {
        let result = try CommandLineRunner.run([
            "bench", "--model", "efficientnet_b0", "--batch", "2", "--threads", "1",
            "--warmup", "0", "--runs", "1",
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        let pattern =
            #"^efficientnet_b0 batch 2 threads 1: [0-9]+\.[0-9]{2} ms/batch \(median of 1 runs after 0 warm-up, swift-pth, (avx512|avx2|baseline) kernels\)\n$"#
        XCTAssertNotNil(result.stdout.range(of: pattern, options: .regularExpression), result.stdout)
    }

    /// The line names the kernel copy that ran, and `PTH_ISA` forces one (the portable copy runs anywhere).
    func testNamesTheKernelsPthISAForces() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["PTH_ISA"] = "baseline"
        let result = try CommandLineRunner.run(["bench", "--model", "lenet5", "--warmup", "0", "--runs", "1"], environment: environment)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasSuffix("swift-pth, baseline kernels)\n"), result.stdout)
    }

    func testTimesACheckpoint() throws {
        let result = try CommandLineRunner.run([
            "bench", "--weights", CommandLineRunner.fixture("models/densenet121.pth"),
            "--threads", "1", "--warmup", "0", "--runs", "1",
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, result.stdout)
        XCTAssertNotNil(
            lines.first?.range(
                of: #"densenet121\.pth: loaded, folded and compiled in [0-9]+\.[0-9] ms$"#,
                options: .regularExpression), result.stdout)
        XCTAssertTrue(lines.last?.hasPrefix("densenet121 batch 1 threads 1: ") ?? false, result.stdout)
    }

    func testNeedsAModel() throws {
        let result = try CommandLineRunner.run(["bench"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("give --model, --weights, or both"), result.stderr)
    }
}
