import Atomics
import Foundation
import PthFoundation

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
/// or a part splitting work of its own), or that asks for more parts than the pool will have
/// threads for (`--threads` far above the core count), runs its job on Dispatch's pool instead.
///
/// Sendable without the compiler's proof: besides its atomics, its state is `job`, read and written
/// under the `wakeUp` lock, and `workers`, touched only by the caller that holds `busy`.
final class WorkerPool: @unchecked Sendable {
    /// The process's pool.
    static let shared = WorkerPool()

    /// One job: `parts` calls of the body, handed out by an atomic counter. Each job has its own
    /// counters, so a worker that wakes late and still holds the previous job only finds it finished.
    /// Sendable without the compiler's proof: its fields are constants and atomics, and `body` stays
    /// valid until `finished` reaches `parts` (the caller waits for that before it returns).
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

    /// How long an idle worker keeps spinning for the next job before it sleeps (and a caller for
    /// its stragglers before it yields): longer than the serial stretches between two split kernels
    /// of a forward pass (a squeeze-excitation's two tiny convs, small unsplit adds, the caller's
    /// bookkeeping: 5–30 µs), so a worker is rarely asleep when the next job comes; no longer, because
    /// on a shared machine the time a worker spins with nothing to do comes out of the CPU share the
    /// scheduler then denies it when its part is waiting (efficientnet_b0, one image on 2 threads at
    /// a load average of 5: 62 ms with 500 µs, 53 ms with 50 µs).
    static let spinNanoseconds: UInt64 = 50_000

    /// Spins while `waiting()` holds, at most `spinNanoseconds`; returns whether it still holds.
    @inline(__always)
    private static func spin(while waiting: () -> Bool) -> Bool {
        let start = DispatchTime.now().uptimeNanoseconds
        while waiting() {
            for _ in 0..<256 where !waiting() { return false }
            if DispatchTime.now().uptimeNanoseconds - start > spinNanoseconds { return true }
        }
        return false
    }

    /// Most workers the pool starts: four per core (at least 8), whatever thread count is asked for.
    static let maximumWorkers = max(8, 4 * ProcessInfo.processInfo.activeProcessorCount)

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
        guard parts - 1 <= Self.maximumWorkers,
            busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else {
            // The parts of a split kernel touch disjoint ranges (`WorkSplit`'s contract).
            withoutActuallyEscaping(body) { body in
                let shared = UncheckedSendable(body)
                DispatchQueue.concurrentPerform(iterations: parts) { shared.value($0) }
            }
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
                // Wait for the parts other threads took: spinning, then giving the core away in turns
                // (a worker that was descheduled needs it to finish).
                let unfinished = { current.finished.load(ordering: .acquiring) < parts }
                if Self.spin(while: unfinished) {
                    while unfinished() { sched_yield() }
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
            if spins.load(ordering: .relaxed) {
                _ = Self.spin { generation.load(ordering: .acquiring) == seen }
            }
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
