import ArgumentParser

/// `--shard i/N`: input `k` of the sorted list belongs to shard `k mod N`; shards are numbered from 0
/// (0 ≤ i < N), as Kubernetes' `JOB_COMPLETION_INDEX` and a Slurm `--array=0-(N-1)` count. Taking
/// every N-th input, rather than a contiguous block, gives each shard a similar mix of folders.
struct BatchShard: ExpressibleByArgument, CustomStringConvertible {
    let index: Int
    let count: Int

    init?(argument: String) {
        let parts = argument.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1, (0..<count).contains(index) else {
            return nil
        }
        self.index = index
        self.count = count
    }

    var description: String { "\(index)/\(count)" }

    static var defaultValueDescription: String { "i/N" }

    /// This shard's share of `inputs`, in order.
    func select<Element>(_ inputs: [Element]) -> [Element] {
        inputs.enumerated().compactMap { $0.offset % count == index ? $0.element : nil }
    }
}
