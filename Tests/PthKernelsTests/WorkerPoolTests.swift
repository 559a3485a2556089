import Dispatch
import XCTest

@testable import PthKernels

/// The pool behind `WorkSplit`: every part runs exactly once, however jobs arrive — back to back,
/// from several threads at once (one takes the pool, the others fall back to Dispatch), nested
/// inside a part, with more parts than the pool has workers, or after the workers have gone to sleep.
final class WorkerPoolTests: XCTestCase {
    /// Runs a job of `parts` parts and returns how often each part ran.
    private static func counts(parts: Int, pool: WorkerPool = .shared, inner: ((Int) -> Void)? = nil) -> [Int] {
        let tally = UnsafeMutableBufferPointer<Int>.allocate(capacity: parts)
        tally.initialize(repeating: 0)
        defer { tally.deallocate() }
        pool.run(parts: parts) { part in
            tally[part] += 1
            inner?(part)
        }
        return Array(tally)
    }

    func testEveryPartRunsOnceInManyBackToBackJobs() {
        for round in 0..<2_000 {
            let parts = 2 + round % 7
            XCTAssertEqual(Self.counts(parts: parts), [Int](repeating: 1, count: parts), "job \(round)")
        }
    }

    func testJobsFromSeveralThreadsAtOnceAllComplete() {
        let failures = UnsafeMutablePointer<Int>.allocate(capacity: 4)
        failures.initialize(repeating: 0, count: 4)
        defer { failures.deallocate() }
        let slots = UncheckedPointer(failures)
        DispatchQueue.concurrentPerform(iterations: 4) { caller in
            for _ in 0..<300 where Self.counts(parts: 3) != [1, 1, 1] { slots.pointer[caller] += 1 }
        }
        XCTAssertEqual(Array(UnsafeBufferPointer(start: failures, count: 4)), [0, 0, 0, 0])
    }

    func testNestedJobsRunOnDispatchWhileThePoolIsBusy() {
        let nested = UnsafeMutableBufferPointer<Int>.allocate(capacity: 4)
        nested.initialize(repeating: 0)
        defer { nested.deallocate() }
        let outer = Self.counts(parts: 4) { part in
            nested[part] = Self.counts(parts: 5).reduce(0, +)
        }
        XCTAssertEqual(outer, [1, 1, 1, 1])
        XCTAssertEqual(Array(nested), [5, 5, 5, 5])
    }

    func testMorePartsThanThePoolHasWorkersRunOnDispatch() {
        let parts = WorkerPool.maximumWorkers + 2
        XCTAssertEqual(Self.counts(parts: parts), [Int](repeating: 1, count: parts))
    }

    func testWakesSleepingWorkers() {
        XCTAssertEqual(Self.counts(parts: 2), [1, 1])
        // Long enough for the workers to stop spinning and sleep.
        Thread.sleep(forTimeInterval: 0.2)
        XCTAssertEqual(Self.counts(parts: 2), [1, 1])
    }
}

/// A pointer the test's concurrent closures may share (each writes only its own element).
private struct UncheckedPointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Int>
    init(_ pointer: UnsafeMutablePointer<Int>) { self.pointer = pointer }
}
