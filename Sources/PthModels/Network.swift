import Foundation
import PthCheckpoint
import PthGraph
import PthKernels
import PthRuntime

/// A classifier ready to run: a checkpoint's weights in an architecture, frozen and planned once,
/// then run on any number of batches.
///
/// Thread safety: calls to `run` may come from several threads; they are serialised by a lock,
/// since the plan reuses its buffers between runs. For parallel inference make one `Network` per
/// thread (weights are then held once per network). OpenBLAS's thread count is process-wide.
public final class Network: @unchecked Sendable {
    /// The architecture the checkpoint was built into.
    public let architecture: Architecture
    /// The frozen graph that runs.
    public let graph: Graph
    /// Number of logits per image.
    public let classes: Int
    /// Cores one run uses (see `ExecutionPlan`: a single image's kernels split over them, a batch's images grouped across them).
    public var threads: Int { plan.threads }
    private let plan: ExecutionPlan
    private let lock = NSLock()

    /// Loads the checkpoint at `path` and builds it as `architectureName`, or as whichever registered
    /// architecture its keys and shapes match when no name is given. `threads` is how many cores
    /// each run uses (default: every processor).
    public convenience init(contentsOf path: String, architecture architectureName: String? = nil, threads: Int? = nil) throws {
        // Before the read, which wants both cores.
        Kernels.useSingleThreadedBLAS()
        let stateDict: StateDict
        do {
            // Mapped, not read into memory: planning copies every weight a kernel reads into the kernel's
            // own form (GEMM weights packed) and then releases the mapped pages, so the weights are
            // resident once. Once built, no kernel reads the file, which may then be rewritten (a
            // training run saving to the same path) while this network serves; only reading `graph`'s
            // weights would touch it.
            stateDict = try Checkpoint(contentsOf: path).stateDict()
        } catch let error as CheckpointError {
            // The loader says where inside the file; the path says which file.
            throw ModelError(path, error.description)
        }
        try self.init(stateDict: stateDict, architecture: architectureName.map(Architecture.named), threads: threads)
    }

    /// Builds `stateDict` as `architecture`, or detects it when nil.
    public convenience init(stateDict: StateDict, architecture: Architecture? = nil, threads: Int? = nil) throws {
        let (chosen, graph) = try architecture.map { ($0, try $0.graph(from: stateDict)) } ?? Architecture.detect(in: stateDict)
        try self.init(architecture: chosen, graph: graph, threads: threads)
    }

    /// Runs an already built (unfrozen) graph of `architecture`, such as `Architecture.syntheticGraph()`.
    public init(architecture: Architecture, graph: Graph, threads: Int? = nil) throws {
        self.architecture = architecture
        self.graph = try Freezing.freeze(graph)
        // Shape inference at the preset's resolution checks the graph once, before any run.
        let side = architecture.inputSize
        guard let output = self.graph.output else { throw ModelError(architecture.name, "graph has no output") }
        let logits = try self.graph.shapes(forInput: [1, architecture.inputChannels, side, side])[output.index]
        guard logits.count == 2 else {
            throw ModelError(architecture.name, "graph ends in \(logits), not [N, classes] logits")
        }
        self.classes = logits[1]
        self.plan = try ExecutionPlan(graph: self.graph, threads: threads)
    }

    /// Logits `[N, classes]` for a batch of `[N, C, H, W]` Float32 images (C is `architecture.inputChannels`) (normalised as the
    /// architecture's preset does).
    public func run(_ batch: FeatureMap) throws -> FeatureMap {
        try run(batch, capturing: []).output
    }

    /// Logits plus the stage outputs named in `taps` (`layer1`, `Mixed_6e`, `features.denseblock2`, …;
    /// see `graph.taps`), for localising a numerical mismatch.
    public func run(_ batch: FeatureMap, capturing taps: [String]) throws -> ExecutionResult {
        let channels = architecture.inputChannels
        guard batch.shape.count == 4, batch.shape[1] == channels, batch.shape.allSatisfy({ $0 >= 1 }) else {
            throw ModelError("input", "\(architecture.name) takes [N, \(channels), H, W] images, given \(batch.shape)")
        }
        guard batch.shape.reduce(1, *) == batch.values.count else {
            throw ModelError("input", "shape \(batch.shape) needs \(batch.shape.reduce(1, *)) values, given \(batch.values.count)")
        }
        lock.lock()
        defer { lock.unlock() }
        return try plan.run(batch, capturing: taps)
    }
}
