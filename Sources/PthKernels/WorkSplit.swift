/// How many cores one kernel call may use, and the one way kernels split their work over them:
/// consecutive index ranges run on `WorkerPool`'s threads, the caller's thread taking its share.
///
/// This is the only source of parallelism inside kernels (OpenBLAS runs single-threaded, see
/// `Kernels.gemm`), so two schemes never compete for the same cores. Ranges are disjoint and each
/// kernel writes only what its range owns, so no two parts write the same place (a GEMM cut in parts
/// may still round differently from the whole: OpenBLAS may sum a narrower matrix in another order).
public struct WorkSplit: Sendable, Equatable {
    /// Most ranges a call is cut into.
    public let threads: Int

    /// Everything on the calling thread.
    public static let serial = WorkSplit(threads: 1)

    /// Whether work below the callers' `minimum` is split anyway (tests use it to cut small
    /// fixtures as a large network's layers would be cut).
    public let splitsSmallWork: Bool

    /// A split over at most `threads` ranges (1 when given less).
    public init(threads: Int, splitsSmallWork: Bool = false) {
        self.threads = max(1, threads)
        self.splitsSmallWork = splitsSmallWork
    }

    /// Calls `body` once per range of a partition of `0..<count` into at most `threads` consecutive
    /// ranges whose bounds are multiples of `alignment` (but the last), concurrently when there is
    /// more than one. Below `minimum` items per range the work is not worth a thread hop and fewer
    /// ranges are made.
    public func forEachRange(_ count: Int, alignment: Int = 1, minimum: Int = 1, _ body: (Range<Int>) -> Void) {
        forEachPart(count, alignment: alignment, minimum: minimum) { _, range in body(range) }
    }

    /// How many ranges `forEachPart` cuts `0..<count` into with these arguments.
    public func partCount(_ count: Int, alignment: Int = 1, minimum: Int = 1) -> Int {
        let units = (count + alignment - 1) / alignment
        return max(1, min(threads, units, splitsSmallWork ? count : count / max(1, minimum)))
    }

    /// `forEachRange`, also telling each call its part's index (below `threads`), e.g. to pick its
    /// own slice of a scratch buffer.
    public func forEachPart(_ count: Int, alignment: Int = 1, minimum: Int = 1, _ body: (_ part: Int, _ range: Range<Int>) -> Void) {
        guard count > 0 else { return }
        let units = (count + alignment - 1) / alignment
        let parts = partCount(count, alignment: alignment, minimum: minimum)
        if parts == 1 {
            body(0, 0..<count)
            return
        }
        WorkerPool.shared.run(parts: parts) { part in
            let lower = min(count, units * part / parts * alignment)
            let upper = min(count, units * (part + 1) / parts * alignment)
            if lower < upper { body(part, lower..<upper) }
        }
    }
}
