/// The one limit on every recursive walk over data read from a file: how deep it may nest and how
/// many nodes it may visit in all.
///
/// A pickle can nest containers as deep as its bytes allow and share one container many times,
/// so a tree that converts in linear time can still unfold exponentially when walked (`a = [x, x];
/// b = [a, a]; …`). Any function that recurses over a `PickleValue`, a `PickleItem` or another
/// structure taken from a file makes one budget per walk, passes it down, enters it once per level and
/// leaves it on the way back:
///
/// ```swift
/// func walk(_ value: PickleValue, at path: String, _ budget: RecursionBudget) throws {
///     try budget.enter(at: path)
///     defer { budget.leave() }
///     if case .list(let items) = value {
///         for (index, item) in items.enumerated() { try walk(item, at: "\(path).\(index)", budget) }
///     }
/// }
/// try walk(checkpoint.root, at: "root", RecursionBudget())
/// ```
///
/// Exceeding either limit throws a one-line `CheckpointError` at the location given to `enter` (built
/// only then). A reference type, so a walk shares one count however it passes the budget along.
public final class RecursionBudget {
    /// Deeper than any real checkpoint nests (a state dict is 2 levels, a pickled torchvision model
    /// under 20) and shallow enough that converting this deep fits in a 1 MiB thread stack (not in
    /// 512 KiB): load checkpoints on the main thread or a thread with at least 1 MiB.
    public static let maximumDepth = 1000
    /// Nodes one walk may visit: 2^24, a few seconds of work, where real checkpoints visit thousands.
    public static let maximumNodes = 1 << 24
    /// Containers, tensors and modules a walk that names what it meets by dotted path may visit:
    /// 2^20. Such a walk unfolds shared containers (a container referenced twice is walked twice,
    /// under two paths), and each visit builds a path, so it gets a lower limit than the conversion;
    /// real checkpoints visit thousands (a state dict's tensors, an optimizer's per-parameter state).
    public static let maximumPathNodes = 1 << 20

    /// The limits this budget enforces.
    public let depthLimit: Int, nodeLimit: Int
    /// Levels entered and not yet left.
    public private(set) var depth = 0
    /// Nodes entered since the budget was made.
    public private(set) var nodes = 0

    /// A fresh budget for one walk; the defaults are the limits every walk over a checkpoint uses.
    public init(depthLimit: Int = RecursionBudget.maximumDepth, nodeLimit: Int = RecursionBudget.maximumNodes) {
        self.depthLimit = depthLimit
        self.nodeLimit = nodeLimit
    }

    /// Counts one node one level further down; throws when the walk would go deeper than
    /// `depthLimit` or visit more than `nodeLimit`. Balance every successful call with `leave()`.
    public func enter(at location: @autoclosure () -> String) throws {
        guard depth < depthLimit else {
            throw CheckpointError(location(), "nesting deeper than \(depthLimit) levels")
        }
        guard nodes < nodeLimit else {
            throw CheckpointError(location(), "structure unfolds to more than \(nodeLimit) nodes")
        }
        depth += 1
        nodes += 1
    }

    /// Counts `count` nodes of an iterative walk that tracks its own depth; throws when the walk would
    /// visit more than `nodeLimit`.
    public func visit(count: Int = 1, at location: @autoclosure () throws -> String) throws {
        guard count <= nodeLimit - nodes else {
            throw CheckpointError(try location(), "structure unfolds to more than \(nodeLimit) nodes")
        }
        nodes += count
    }

    /// Returns to the level above, after a successful `enter`.
    public func leave() {
        depth -= 1
    }
}
