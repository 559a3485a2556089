import ArgumentParser

/// `--shard i/N`: input `k` of the sorted list belongs to shard `k mod N`; shards are numbered from 0
/// (0 ≤ i < N), as Kubernetes' `JOB_COMPLETION_INDEX` and a Slurm `--array=0-(N-1)` count. Taking
/// every N-th input, rather than a contiguous block, gives each shard a similar mix of folders.
struct BatchShard: CustomStringConvertible {
    let index: Int
    let count: Int

    /// Parses `i/N`, saying what is wrong with anything else.
    init(parsing argument: String) throws {
        let parts = argument.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw ValidationError("expected i/N, two whole numbers such as 0/4")
        }
        guard count >= 1 else { throw ValidationError("N must be at least 1") }
        guard (0..<count).contains(index) else {
            throw ValidationError("shards are numbered 0 to \(count - 1), so i must be in that range")
        }
        self.index = index
        self.count = count
    }

    var description: String { "\(index)/\(count)" }

    /// This shard's share of `inputs`, in order.
    func select<Element>(_ inputs: [Element]) -> [Element] {
        inputs.enumerated().compactMap { $0.offset % count == index ? $0.element : nil }
    }
}
