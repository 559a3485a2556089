import Foundation
import XCTest

@testable import PthCheckpoint

/// Object graphs that nest or refer to themselves: `RecursionBudget` and the loader's use of it.
final class RecursionBudgetTests: XCTestCase {
    static func hostile(_ name: String) -> String {
        HostileCorpusTests.directory.appendingPathComponent("\(name).pth").path
    }

    func testDepthLimitNamesTheLocationOfTheLevelPastIt() throws {
        let budget = RecursionBudget()
        for level in 0..<RecursionBudget.maximumDepth { try budget.enter(at: "level \(level)") }
        XCTAssertThrowsError(try budget.enter(at: "model.layer1.0")) { error in
            XCTAssertEqual(error as? CheckpointError, CheckpointError("model.layer1.0", "nesting deeper than 1000 levels"))
        }
        budget.leave()
        XCTAssertNoThrow(try budget.enter(at: "sibling"))
        XCTAssertEqual(budget.depth, RecursionBudget.maximumDepth)
        XCTAssertEqual(budget.nodes, RecursionBudget.maximumDepth + 1)
    }

    /// `a = [x, x]; b = [a, a]; …` forty levels deep converts in forty steps but unfolds to 2^40 nodes:
    /// a walk under the budget stops at its node limit (2^24 by default, 5000 here) instead of running for days.
    func testSharedStructureThatUnfoldsExponentiallyStopsAtTheNodeLimit() {
        var value = PickleValue.int(1)
        for _ in 0..<40 { value = .list([value, value]) }
        func walk(_ value: PickleValue, _ budget: RecursionBudget) throws {
            try budget.enter(at: "root")
            defer { budget.leave() }
            if case .list(let items) = value { for item in items { try walk(item, budget) } }
        }
        let budget = RecursionBudget(nodeLimit: 5000)
        XCTAssertThrowsError(try walk(value, budget)) { error in
            XCTAssertEqual(error as? CheckpointError, CheckpointError("root", "structure unfolds to more than 5000 nodes"))
        }
        XCTAssertEqual(budget.nodes, 5000)
        XCTAssertEqual(RecursionBudget().nodeLimit, 1 << 24)
    }

    /// The 254-byte legacy file that overflowed the stack: a list holding a `_rebuild_from_type_v2`
    /// call whose arguments are that list. Refused at the REDUCE, by load and by scan alike.
    func testSelfReferencingTypeRebuildIsRefusedAtItsReduce() {
        let expected = "legacy pickle offset 250: REDUCE torch._tensor._rebuild_from_type_v2: arguments contain themselves; cyclic structures are not supported"
        XCTAssertThrowsError(try Checkpoint(contentsOf: Self.hostile("self_ref_rebuild_from_type_v2"))) { error in
            XCTAssertEqual("\(error)", expected)
        }
        XCTAssertThrowsError(try Checkpoint.scan(contentsOf: Self.hostile("self_ref_rebuild_from_type_v2"))) { error in
            XCTAssertEqual("\(error)", expected)
        }
    }

    /// 5000 `_rebuild_from_type_v2` layers around `_rebuild_tensor_v2`: unwrapped in a loop, the tensor loads
    /// with the values torch wrote (struct.pack("<6f", 1, 2, 3, 4, 5, 6) viewed as [2, 3]).
    func testLongTypeRebuildChainLoadsItsTensor() throws {
        let weight = try XCTUnwrap(try Checkpoint(contentsOf: Self.hostile("deep_rebuild_from_type_v2_chain")).stateDict()["weight"])
        XCTAssertEqual(weight.shape, [2, 3])
        XCTAssertEqual(weight.floats(), [1, 2, 3, 4, 5, 6])
    }

    /// `_rebuild_tensor_v2`'s metadata argument holding a list that contains itself: torch keeps the
    /// metadata, swift-pth drops it, so the cycle never reaches the object tree and the tensor loads.
    func testCycleInDroppedTensorMetadataDoesNotStopTheTensor() throws {
        let weight = try XCTUnwrap(try Checkpoint(contentsOf: Self.hostile("self_ref_tensor_metadata")).stateDict()["weight"])
        XCTAssertEqual(weight.floats(), [1, 2, 3, 4, 5, 6])
    }

    /// A deep chain through BUILD states is refused, and freeing what was built before the error
    /// does not recurse (the machine empties its objects first).
    func testDeepNestingThroughEveryContainerIsRefused() {
        for name in [
            "deep_dicts", "deep_tuples", "deep_sets", "deep_build_state", "deep_newobj_args", "deep_reduce_args",
            "deep_ordered_dict_items",
        ] {
            XCTAssertThrowsError(try Checkpoint(contentsOf: Self.hostile(name)), name) { error in
                XCTAssertTrue("\(error)".hasSuffix("nesting deeper than 1000 levels"), "\(name): \(error)")
            }
        }
    }

    /// The deepest structure the budget allows converts on a thread with a 1 MiB stack, and one level
    /// more is refused there as on the main thread (8 MiB). 512 KiB (macOS's secondary-thread default)
    /// is not enough for 1000 levels: load checkpoints on the main thread or a thread of 1 MiB or more.
    func testMaximumDepthFitsInAOneMebibyteThreadStack() {
        // Written by the thread only, read after `finished` is signalled.
        final class Outcomes: @unchecked Sendable { var list: [String] = [] }
        let outcomes = Outcomes()
        let finished = DispatchSemaphore(value: 0)
        let thread = Thread {
            for depth in [RecursionBudget.maximumDepth, RecursionBudget.maximumDepth + 1] {
                let lists = [UInt8](repeating: 0x5D, count: depth) + [UInt8](repeating: 0x61, count: depth - 1) + [0x2E]
                do {
                    _ = try HostileInputTests.load(HostileInputTests.legacyStream(lists))
                    outcomes.list.append("loaded")
                } catch {
                    outcomes.list.append("\(error)")
                }
            }
            finished.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
        XCTAssertEqual(finished.wait(timeout: .now() + 60), .success)
        XCTAssertEqual(outcomes.list.first, "loaded")
        XCTAssertTrue(outcomes.list.last?.hasSuffix("nesting deeper than 1000 levels") == true, "\(outcomes.list)")
    }
}
