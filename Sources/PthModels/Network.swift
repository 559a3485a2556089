import Foundation
import PthCheckpoint
import PthGraph
import PthRuntime

/// A classifier ready to run: a checkpoint's weights in an architecture, frozen and planned once,
/// then run on any number of batches.
///
/// Thread safety: calls to `run` may come from several threads; they are serialised by a lock,
/// since the plan reuses its buffers between runs. For parallel inference make one `Network` per
/// thread (weights are then held once per network). OpenBLAS's thread count is process-wide (see `ExecutionPlan.prepareThreads()`).
///
/// Sendable without the compiler's proof: every stored property is a constant, and the plan (which
/// is not Sendable: it reuses its buffers) is only ever used while holding `lock`.
public final class Network: @unchecked Sendable {
    /// The architecture the checkpoint was built into.
    public let architecture: Architecture
    /// The frozen graph that runs.
    public let graph: Graph
    /// Number of logits per image.
    public let classes: Int
    /// Which of the checkpoint's dicts the weights came from, and why (nil when built from a state dict).
    public let stateDictChoice: StateDictChoice?
    /// Features per image in `embed(_:)`.
    public let embeddingSize: Int
    /// Channels of the images the network takes: the architecture's own (3, RGB) unless the checkpoint's
    /// stem convolution was trained on another count (1 for a grayscale fine-tune).
    public let inputChannels: Int
    /// Cores one run uses (see `ExecutionPlan`: a single image's kernels split over them, a batch's images grouped across them).
    public var threads: Int { plan.threads }
    private let plan: ExecutionPlan
    private let lock = NSLock()

    /// Loads the checkpoint at `path` and builds it as `architectureName`, or as whichever registered
    /// architecture its keys and shapes match when no name is given. `threads` is how many cores
    /// each run uses (default: every processor). `transformInput` sets Inception v3's and GoogLeNet's
    /// `transform_input` (nil: on, as for torchvision's pretrained weights; see `Architecture.transformInput`).
    public convenience init(
        contentsOf path: String, stateDictKey: String? = nil, architecture architectureName: String? = nil,
        transformInput: Bool? = nil, threads: Int? = nil
    ) throws {
        try self.init(
            checkpoint: try Network.readCheckpoint(path), path: path, stateDictKey: stateDictKey, architecture: architectureName,
            transformInput: transformInput, threads: threads)
    }

    /// Builds the state dict of a checkpoint read by `readCheckpoint` (or otherwise), as
    /// `init(contentsOf:)` does: the one at dotted path `stateDictKey` (`model`, `ema`, `generator`), or
    /// the one `Checkpoint.selectStateDict` finds. `path` names the file in errors.
    public convenience init(
        checkpoint: Checkpoint, path: String, stateDictKey: String? = nil, architecture architectureName: String? = nil,
        transformInput: Bool? = nil, threads: Int? = nil
    ) throws {
        let selection: StateDictSelection
        do {
            selection = try checkpoint.selectStateDict(key: stateDictKey)
        } catch let error as CheckpointError {
            throw ModelError(path, error.description)
        }
        let (chosen, graph) = try Architecture.build(selection.stateDict, named: architectureName, transformInput: transformInput)
        try self.init(architecture: chosen, graph: graph, threads: threads, stateDictChoice: selection.choice)
        // Every kernel now holds its own copy of what it reads: the pages of the file that are still
        // resident (the pickle, BatchNorm statistics, biases) are only needed again if `graph` is read.
        checkpoint.releaseResidentPages()
    }

    /// Reads the checkpoint at `path` the way a network needs it: mapped, not read into memory, since
    /// planning copies every weight a kernel reads into the kernel's own form (GEMM weights packed) and
    /// then releases the mapped pages, so the weights are resident once. Once built, no kernel reads the
    /// file, which may then be rewritten (a training run saving to the same path) while the network
    /// serves; only reading `graph`'s weights would touch it. Errors name the file and the place inside it.
    public static func readCheckpoint(_ path: String) throws -> Checkpoint {
        // Before the read, which wants both cores.
        ExecutionPlan.prepareThreads()
        do {
            return try Checkpoint(contentsOf: path)
        } catch let error as CheckpointError {
            throw ModelError(path, error.description)
        }
    }

    /// Builds `stateDict` as `architecture`, or detects it when nil.
    public convenience init(stateDict: StateDict, architecture: Architecture? = nil, threads: Int? = nil) throws {
        let (chosen, graph) = try architecture.map { ($0, try $0.graph(from: stateDict)) } ?? Architecture.detect(in: stateDict)
        try self.init(architecture: chosen, graph: graph, threads: threads)
    }

    /// Runs an already built (unfrozen) graph of `architecture`, such as `Architecture.syntheticGraph()`;
    /// `stateDictChoice` says where in a checkpoint its weights came from, if they did.
    public init(architecture: Architecture, graph: Graph, threads: Int? = nil, stateDictChoice: StateDictChoice? = nil) throws {
        self.architecture = architecture
        self.stateDictChoice = stateDictChoice
        self.graph = try Freezing.freeze(graph)
        // Shape inference at the preset's resolution checks the graph once, before any run.
        let side = architecture.inputSize
        guard let output = self.graph.output else { throw ModelError(architecture.name, "graph has no output") }
        let inputs = self.graph.nodes.compactMap { node -> Int? in if case .input(let channels) = node.op { channels } else { nil } }
        guard inputs.count == 1, let channels = inputs.first else { throw ModelError(architecture.name, "graph has \(inputs.count) image inputs, expected 1") }
        self.inputChannels = channels
        let shapes = try self.graph.shapes(forInput: [1, channels, side, side])
        let logits = shapes[output.index]
        guard logits.count == 2 else {
            throw ModelError(architecture.name, "graph ends in \(logits), not [N, classes] logits")
        }
        self.classes = logits[1]
        guard let tap = self.graph.taps[Architecture.embeddingTap], case let features = shapes[tap.index], features.count == 2 else {
            throw ModelError(architecture.name, "graph has no [N, features] embedding before its classifier")
        }
        self.embeddingSize = features[1]
        self.plan = try ExecutionPlan(graph: self.graph, threads: threads)
    }

    /// Logits `[N, classes]` for a batch of `[N, C, H, W]` Float32 images (C is `inputChannels`) (normalised as the
    /// architecture's preset does).
    public func run(_ batch: FeatureMap) throws -> FeatureMap {
        try run(batch, capturing: []).output
    }

    /// The embedding `[N, embeddingSize]` of a batch (see `Architecture.embeddingTap`): the features
    /// before the final Linear layer, for similarity search, deduplication and clustering.
    public func embed(_ batch: FeatureMap) throws -> FeatureMap {
        guard let features = try run(batch, capturing: [Architecture.embeddingTap]).taps[Architecture.embeddingTap] else {
            throw ModelError(architecture.name, "the run returned no embedding")
        }
        return features
    }

    /// Logits plus the stage outputs named in `taps` (`layer1`, `Mixed_6e`, `features.denseblock2`, …;
    /// see `graph.taps`), for localising a numerical mismatch.
    public func run(_ batch: FeatureMap, capturing taps: [String]) throws -> ExecutionResult {
        let channels = inputChannels
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

    /// Starts timing every node of `graph` in the runs that follow (see `nodeMilliseconds()`), from zero.
    public func startTimingNodes() {
        lock.lock()
        defer { lock.unlock() }
        plan.timesNodes = true
    }

    /// Milliseconds per run each node of `graph` took, averaged over the runs since
    /// `startTimingNodes()` (all zero before it); a batch's image groups running side by side count once.
    public func nodeMilliseconds() -> [Double] {
        lock.lock()
        defer { lock.unlock() }
        return plan.nodeMilliseconds()
    }
}
