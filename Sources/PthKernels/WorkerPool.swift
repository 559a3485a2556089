import Atomics
import Foundation

/// The threads that run the parts of a split kernel beside the caller's: started once, kept
/// spinning for a short while after each job so the next kernel's parts (microseconds later) start
/// at once, then asleep until woken.
///
/// A single image runs hundreds of split kernels per forward pass, many of them tens of
/// microseconds long; handing each to Dispatch's pool cost a thread wake-up per kernel (7–14% of
/// the time, and idle cores while the wake-up lasted). Here the caller publishes the job with one
/// atomic increment, takes parts itself, and waits for the stragglers by spinning.
///
/// One job at a time: a caller that finds the pool busy (another network running on another thread,
/// or a part splitting work of its own) runs its job on Dispatch's pool instead.
final class WorkerPool: @unchecked Sendable {
    /// The process's pool.
    static let shared = WorkerPool()

    /// One job: `parts` calls of the body, handed out by an atomic counter. Each job has its own
    /// counters, so a worker that wakes late and still holds the previous job only finds it finished.
    private final class Job: @unchecked Sendable {
        let parts: Int
        let body: UnsafePointer<(Int) -> Void>
        let next = ManagedAtomic<Int>(0)
        let finished = ManagedAtomic<Int>(0)

        init(parts: Int, body: UnsafePointer<(Int) -> Void>) {
            self.parts = parts
            self.body = body
        }

        /// Runs parts until none is left.
        func work() {
            while true {
                let part = next.loadThenWrappingIncrement(ordering: .acquiring)
                guard part < parts else { return }
                body.pointee(part)
                finished.wrappingIncrement(ordering: .releasing)
            }
        }
    }

    /// Spin iterations (atomic loads) a worker waits for the next job before it sleeps, and the
    /// caller waits for stragglers before it starts yielding its core: about 50 µs on a 2020s core.
    static let spinLimit = 20_000

    private let busy = ManagedAtomic<Bool>(false)
    /// Bumped for each job; workers compare it with the last one they saw.
    private let generation = ManagedAtomic<Int>(0)
    private let sleepers = ManagedAtomic<Int>(0)
    private let wakeUp = NSCondition()
    /// The current job, read by workers after they see `generation` change.
    private var job: Job?
    private var workers = 0
    /// Whether idle workers spin before sleeping: not when there are more threads than cores,
    /// where a spinning thread takes the core another one needs.
    private let spins = ManagedAtomic<Bool>(true)

    /// Calls `body(part)` for every part in `0..<parts`, on the caller's thread and `parts - 1` workers.
    func run(parts: Int, _ body: (Int) -> Void) {
        guard parts > 1 else {
            if parts == 1 { body(0) }
            return
        }
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            DispatchQueue.concurrentPerform(iterations: parts, execute: body)
            return
        }
        defer { busy.store(false, ordering: .releasing) }
        startWorkers(parts - 1)
        withoutActuallyEscaping(body) { escapable in
            withUnsafePointer(to: escapable) { pointer in
                let current = Job(parts: parts, body: pointer)
                wakeUp.lock()
                job = current
                wakeUp.unlock()
                generation.wrappingIncrement(ordering: .sequentiallyConsistent)
                if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                    wakeUp.lock()
                    wakeUp.broadcast()
                    wakeUp.unlock()
                }
                current.work()
                var spun = 0
                while current.finished.load(ordering: .acquiring) < parts {
                    spun += 1
                    if spun > Self.spinLimit { sched_yield() }
                }
                wakeUp.lock()
                job = nil
                wakeUp.unlock()
            }
        }
    }

    /// Starts workers until there are `count` (called with `busy` held).
    private func startWorkers(_ count: Int) {
        guard workers < count else { return }
        spins.store(count + 1 <= ProcessInfo.processInfo.activeProcessorCount, ordering: .relaxed)
        while workers < count {
            let thread = Thread { [unowned self] in self.workerLoop() }
            thread.name = "swift-pth worker \(workers + 1)"
            thread.start()
            workers += 1
        }
    }

    private func workerLoop() {
        var seen = generation.load(ordering: .acquiring)
        while true {
            var spun = 0
            while spun < Self.spinLimit, spins.load(ordering: .relaxed), generation.load(ordering: .acquiring) == seen { spun += 1 }
            if generation.load(ordering: .sequentiallyConsistent) == seen {
                wakeUp.lock()
                sleepers.wrappingIncrement(ordering: .sequentiallyConsistent)
                while generation.load(ordering: .sequentiallyConsistent) == seen { wakeUp.wait() }
                sleepers.wrappingDecrement(ordering: .sequentiallyConsistent)
                wakeUp.unlock()
            }
            seen = generation.load(ordering: .acquiring)
            wakeUp.lock()
            let current = job
            wakeUp.unlock()
            current?.work()
        }
    }
}
