import Dispatch
import PthFoundation
import PthGraph
import PthKernels

/// A frozen graph compiled for execution: kernels with weights prepared once, and a memory plan
/// per input shape (made on the first run with that shape and kept until the shape changes).
///
/// Threads, one scheme, OpenBLAS always single-threaded. A batch of at least two images is split
/// into `threads` groups of whole images, each run through the whole network on its own thread (on
/// Dispatch's pool: one hand-off per run); a single image runs every kernel cut over `threads` cores
/// (`WorkSplit` on `WorkerPool`'s spinning workers: GEMMs by output channels or pixels, Winograd by
/// tiles and positions, depthwise convs, pooling and elementwise ops by channels or ranges). How the
/// work was split and which batch an image came in change its numbers by rounding only (OpenBLAS
/// may sum in another order for a matrix of another shape): within 1e-6 relative, tested.
///
/// Thread safety: an `ExecutionPlan` owns mutable buffers, so it must not be run from several
/// threads at once. Use one plan per thread, or serialise calls to `run`.
public final class ExecutionPlan {
    /// The frozen graph this plan runs.
    public let graph: Graph
    /// Cores one `run` may use.
    public let threads: Int
    private let compiled: [CompiledNode]
    /// Split even work too small to pay for a thread hop (for tests on small graphs).
    var splitsSmallWork = false
    private let output: ValueID
    /// The buffers of the last input shape, one workspace per group of images.
    private var workspaces: (shape: [Int], groups: [Workspace])?
    /// Whether `run` times each node (see `nodeMilliseconds`); off by default, since reading the
    /// clock twice per node costs a little at batch 1.
    public var timesNodes = false {
        didSet {
            nodeNanoseconds = [UInt64](repeating: 0, count: compiled.count)
            timedRuns = 0
        }
    }
    /// Nanoseconds spent in each node over the runs timed so far, summed over image groups.
    private var nodeNanoseconds: [UInt64] = []
    /// Runs timed since `timesNodes` was last set.
    public private(set) var timedRuns = 0

    /// Compiles `graph`, which must already be frozen (no BatchNorm nodes; see `Freezing.freeze`).
    /// `threads` defaults to the processors OpenBLAS detects.
    public init(graph: Graph, threads: Int? = nil) throws {
        guard let output = graph.output else { throw GraphError(node: "graph", "no output value set") }
        let inputs = graph.nodes.filter { if case .input = $0.op { return true } else { return false } }
        guard inputs.count == 1, case .input = graph.nodes.first?.op else {
            throw GraphError(node: "graph", "needs exactly one input node, first; found \(inputs.count)")
        }
        self.graph = graph
        self.output = output
        self.threads = max(1, threads ?? Kernels.processorCount)
        self.compiled = try Self.compile(graph, threads: self.threads)
        Self.prepareThreads()
    }

    /// Compiles every node. Each kernel takes its own copy of its weights (GEMM convs' packed for the
    /// micro-kernel, linear layers' copied) and lets go of the checkpoint's pages as soon as it has: a
    /// mapped file's weights are then resident once, in their own form. With more than one thread the
    /// nodes are compiled on every core, largest weights first, each thread taking the next node: a
    /// ResNet50 copies ~100 MB, and the page faults that read it from the file, the packing and the
    /// copies all scale with cores. A node that cannot be compiled throws the error of the first such
    /// node in graph order, as a serial pass would.
    private static func compile(_ graph: Graph, threads: Int) throws -> [CompiledNode] {
        let nodes = graph.nodes
        @Sendable func compile(_ node: Node) throws -> CompiledNode {
            let compiled = try CompiledNode(node)
            switch (node.op, compiled) {
            case (.conv2d(let conv), .convolution(let kernel)):
                kernel.prepare()
                conv.weight.borrowed?.releaseResidentPages()
            case (.linear(let linear), .linear):
                linear.weight.borrowed?.releaseResidentPages()
            default: break
            }
            return compiled
        }
        guard threads > 1 else { return try nodes.map(compile) }
        let order = nodes.indices.sorted { weightCount(nodes[$0]) > weightCount(nodes[$1]) }
        var results = [Result<CompiledNode, any Error>?](repeating: nil, count: nodes.count)
        results.withUnsafeMutableBufferPointer { results in
            // Dispatch hands each iteration to exactly one thread, and iteration `i` writes only slot
            // `order[i]`, a permutation: no two threads write the same slot.
            let slots = UncheckedSendable(results)
            DispatchQueue.concurrentPerform(iterations: order.count) { i in
                let index = order[i]
                slots.value[index] = Result { try compile(nodes[index]) }
            }
        }
        return try results.map { try $0!.get() }
    }

    /// Floats of weights a node's kernel copies when compiled.
    private static func weightCount(_ node: Node) -> Int {
        switch node.op {
        case .conv2d(let conv): conv.weight.shape.reduce(1, *)
        case .linear(let linear): linear.weight.shape.reduce(1, *)
        default: 0
        }
    }

    /// Puts the process in the threading state every plan runs in: OpenBLAS single-threaded, its own
    /// idle workers stopped, so parallelism comes from `WorkSplit` alone and no BLAS thread spins on a
    /// core another thread wants. Every plan does this when it is made; call it earlier when work that
    /// comes before planning — reading a checkpoint — should have every core. The setting is process-wide.
    public static func prepareThreads() {
        Kernels.useSingleThreadedBLAS()
    }

    /// Runs the network on `input` (NCHW, any batch N ≥ 1 and any H, W the graph accepts) and
    /// returns the output plus a copy of each value named in `taps` (keys of `graph.taps`).
    public func run(_ input: FeatureMap, capturing taps: [String] = []) throws -> ExecutionResult {
        guard input.shape.reduce(1, *) == input.values.count else {
            throw RuntimeError("input of shape \(input.shape) has \(input.values.count) values")
        }
        var tapsAt: [Int: [String]] = [:]
        for name in taps {
            guard let value = graph.taps[name] else {
                throw RuntimeError("no tap named \(name); graph has \(graph.taps.keys.sorted().joined(separator: ", "))")
            }
            tapsAt[value.index, default: []].append(name)
        }
        let groups = Self.split(batch: input.shape[0], into: threads)
        // One group (a single image, or one thread): its kernels use every core.
        let split = groups.count == 1 ? WorkSplit(threads: threads, splitsSmallWork: splitsSmallWork) : .serial
        if workspaces?.shape != input.shape {
            workspaces = nil
            var plans: [Int: (memory: MemoryPlan, scratch: Int)] = [:]
            var made: [Workspace] = []
            for group in groups {
                let shape = [group.count] + input.shape.dropFirst()
                if plans[group.count] == nil {
                    let memory = try MemoryPlan(graph: graph, inputShape: shape)
                    prepareConvolutions(memory, split: split)
                    plans[group.count] = (memory, scratchCount(memory, split: split))
                }
                let plan = plans[group.count]!
                made.append(Workspace(shape: shape, memory: plan.memory, scratchCount: plan.scratch))
            }
            workspaces = (input.shape, made)
        }
        let lanes = workspaces!.groups
        let perImage = input.shape.dropFirst().reduce(1, *)
        var results = [ExecutionResult?](repeating: nil, count: groups.count)
        input.values.withUnsafeBufferPointer { source in
            if groups.count == 1 {
                results[0] = runGroup(lanes[0], input: source.baseAddress!, tapsAt: tapsAt, split: split)
            } else {
                results.withUnsafeMutableBufferPointer { slots in
                    // Each lane reads its own images and writes only its own result slot and workspace;
                    // the plan itself (kernels prepared above, memory plans) is only read while they run.
                    let slots = UncheckedSendable(slots), base = UncheckedSendable(source.baseAddress!)
                    let plan = UncheckedSendable(self), workspaces = UncheckedSendable(lanes), tapsAt = tapsAt
                    DispatchQueue.concurrentPerform(iterations: groups.count) { lane in
                        slots.value[lane] = plan.value.runGroup(
                            workspaces.value[lane], input: base.value + groups[lane].lowerBound * perImage,
                            tapsAt: tapsAt, split: .serial)
                    }
                }
            }
        }
        if timesNodes {
            for lane in lanes {
                for index in nodeNanoseconds.indices { nodeNanoseconds[index] += lane.nodeNanoseconds[index] }
            }
            timedRuns += 1
        }
        let parts = results.map { $0! }
        if parts.count == 1 { return parts[0] }
        var captured: [String: FeatureMap] = [:]
        for name in taps { captured[name] = Self.concatenate(parts.map { $0.taps[name]! }) }
        return ExecutionResult(output: Self.concatenate(parts.map(\.output)), taps: captured)
    }

    /// Milliseconds per run spent in each node (indexed like `graph.nodes`), averaged over the runs
    /// since `timesNodes` was set. With a batch split over threads, image groups run side by side
    /// and their times are averaged too, so the figures add up to about the wall time of a run.
    public func nodeMilliseconds() -> [Double] {
        guard timesNodes else { return [Double](repeating: 0, count: compiled.count) }
        let groups = Double(max(1, workspaces?.groups.count ?? 1))
        return nodeNanoseconds.map { Double($0) / 1e6 / Double(max(1, timedRuns)) / groups }
    }

    /// Consecutive image ranges, as even as possible, one per thread (fewer when there are fewer images).
    static func split(batch: Int, into threads: Int) -> [Range<Int>] {
        let groups = min(batch, threads)
        var ranges: [Range<Int>] = []
        var start = 0
        for group in 0..<groups {
            let count = batch / groups + (group < batch % groups ? 1 : 0)
            ranges.append(start..<(start + count))
            start += count
        }
        return ranges
    }

    /// Feature maps of consecutive image groups joined along the batch axis.
    private static func concatenate(_ parts: [FeatureMap]) -> FeatureMap {
        var shape = parts[0].shape
        shape[0] = parts.reduce(0) { $0 + $1.shape[0] }
        return FeatureMap(shape: shape, values: parts.flatMap(\.values))
    }

    /// Runs every node over the images in `workspace`'s shape read from `input`.
    private func runGroup(
        _ workspace: Workspace, input: UnsafePointer<Float>, tapsAt: [Int: [String]],
        split: WorkSplit
    ) -> ExecutionResult {
        let memory = workspace.memory
        var captured: [String: FeatureMap] = [:]
        let timed = timesNodes
        if timed { workspace.nodeNanoseconds = [UInt64](repeating: 0, count: compiled.count) }
        for index in compiled.indices {
            let start = timed ? DispatchTime.now().uptimeNanoseconds : 0
            execute(index, memory: memory, arena: workspace.arena, scratch: workspace.scratch, input: input, split: split)
            if timed { workspace.nodeNanoseconds[index] = DispatchTime.now().uptimeNanoseconds - start }
            for name in tapsAt[index] ?? [] {
                captured[name] = read(index, memory: memory, arena: workspace.arena)
            }
        }
        return ExecutionResult(output: read(output.index, memory: memory, arena: workspace.arena), taps: captured)
    }

    /// Readies every conv for its input size in `memory` (the Winograd weights that size needs).
    private func prepareConvolutions(_ memory: MemoryPlan, split: WorkSplit) {
        for (index, node) in compiled.enumerated() {
            if case .convolution(let kernel) = node {
                let shape = memory.shapes[graph.nodes[index].inputs[0].index]
                kernel.prepare(height: shape[2], width: shape[3], split: split)
            }
        }
    }

    /// Floats of scratch the largest conv needs over the input sizes in `memory`.
    private func scratchCount(_ memory: MemoryPlan, split: WorkSplit) -> Int {
        var count = 0
        for (index, node) in compiled.enumerated() {
            if case .convolution(let kernel) = node {
                let shape = memory.shapes[graph.nodes[index].inputs[0].index]
                count = max(count, kernel.scratchCount(batch: shape[0], height: shape[2], width: shape[3], split: split))
            }
        }
        return count
    }

    private func read(_ value: Int, memory: MemoryPlan, arena: UnsafeMutablePointer<Float>) -> FeatureMap {
        let shape = memory.shapes[value]
        let perImage = shape.dropFirst().reduce(1, *)
        var values = [Float](repeating: 0, count: shape[0] * perImage)
        values.withUnsafeMutableBufferPointer { out in
            Kernels.copy(
                arena + memory.offsets[value], stride: memory.strides[value],
                to: out.baseAddress!, stride: perImage, batch: shape[0], count: perImage)
        }
        return FeatureMap(shape: shape, values: values)
    }

    private func execute(
        _ index: Int, memory: MemoryPlan, arena: UnsafeMutablePointer<Float>,
        scratch: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>, split: WorkSplit
    ) {
        let inputs = graph.nodes[index].inputs.map(\.index)
        let shape = memory.shapes[index]
        let batch = shape[0]
        let out = arena + memory.offsets[index], outStride = memory.strides[index]
        let perImage = shape.dropFirst().reduce(1, *)
        func source(_ j: Int) -> UnsafeMutablePointer<Float> { arena + memory.offsets[inputs[j]] }
        func sourceStride(_ j: Int) -> Int { memory.strides[inputs[j]] }
        func layout(_ value: Int) -> PlaneLayout {
            let s = memory.shapes[value]
            return PlaneLayout(channels: s[1], height: s.count > 2 ? s[2] : 1, width: s.count > 3 ? s[3] : 1, stride: memory.strides[value])
        }
        /// Elementwise work over `count` floats per image, cut into ranges of whole cache lines.
        func byRange(_ count: Int, _ body: (Range<Int>) -> Void) {
            split.forEachRange(count, alignment: 16, minimum: 16384, body)
        }
        /// Per-plane work on `layout`'s channels, cut into channel ranges; `body` gets the range's
        /// layout and its first channel.
        func byChannels(_ whole: PlaneLayout, _ body: (PlaneLayout, Int) -> Void) {
            split.forEachRange(whole.channels, minimum: max(1, 16384 / max(1, whole.plane))) { channels in
                var part = whole
                part.channels = channels.count
                body(part, channels.lowerBound)
            }
        }
        /// A pooling kernel over channel ranges: input and output planes offset alike.
        func pooled(_ kernel: (UnsafePointer<Float>, PlaneLayout, UnsafeMutablePointer<Float>, PlaneLayout) -> Void) {
            let from = layout(inputs[0]), to = layout(index)
            byChannels(from) { part, first in
                var target = to
                target.channels = part.channels
                kernel(source(0) + first * from.plane, part, out + first * to.plane, target)
            }
        }

        switch compiled[index] {
        case .input:
            byRange(perImage) { r in
                Kernels.copy(input + r.lowerBound, stride: perImage, to: out + r.lowerBound, stride: outStride, batch: batch, count: r.count)
            }
        case .convolution(let kernel):
            let x = memory.shapes[inputs[0]]
            guard case .conv2d(let conv) = graph.nodes[index].op else { preconditionFailure("a convolution kernel for a node that is not a conv") }
            // After the feature map: the input channels' gate (`Conv2d.scalesInputChannels`), then
            // the residual (`Conv2d.addsResidual`).
            let gated = conv.scalesInputChannels, residual = conv.addsResidual ? inputs.count - 1 : nil
            kernel.run(
                input: source(0), inputStride: sourceStride(0), height: x[2], width: x[3],
                output: out, outputStride: outStride, batch: batch,
                inputScale: gated ? UnsafePointer(source(1)) : nil, inputScaleStride: gated ? sourceStride(1) : 0,
                residual: residual.map { UnsafePointer(source($0)) }, residualStride: residual.map(sourceStride) ?? 0,
                scratch: scratch, split: split)
        case .linear(let kernel):
            kernel.run(input: source(0), inputStride: sourceStride(0), output: out, outputStride: outStride, batch: batch, split: split)
        case .activation(let function):
            byRange(perImage) { r in
                Kernels.activation(
                    function, source(0) + r.lowerBound, stride: sourceStride(0), to: out + r.lowerBound,
                    stride: outStride, batch: batch, count: r.count)
            }
        case .add(let function):
            byRange(perImage) { r in
                Kernels.add(
                    source(0) + r.lowerBound, stride: sourceStride(0), source(1) + r.lowerBound, stride: sourceStride(1),
                    to: out + r.lowerBound, stride: outStride, batch: batch, count: r.count, then: function)
            }
        case .multiply:
            if memory.shapes[inputs[1]] == shape {
                byRange(perImage) { r in
                    Kernels.multiply(
                        source(0) + r.lowerBound, stride: sourceStride(0), source(1) + r.lowerBound, stride: sourceStride(1),
                        to: out + r.lowerBound, stride: outStride, batch: batch, count: r.count)
                }
            } else {
                byChannels(layout(inputs[0])) { part, first in
                    Kernels.scaleChannels(
                        source(0) + first * part.plane, part, by: source(1) + first, stride: sourceStride(1),
                        to: out + first * part.plane, stride: outStride, batch: batch)
                }
            }
        case .concat:
            let copies = memory.concatCopies[index] ?? []
            var offset = 0
            for j in inputs.indices {
                let count = memory.shapes[inputs[j]].dropFirst().reduce(1, *)
                if copies[j] {
                    byRange(count) { r in
                        Kernels.copy(
                            source(j) + r.lowerBound, stride: sourceStride(j), to: out + offset + r.lowerBound,
                            stride: outStride, batch: batch, count: r.count)
                    }
                }
                offset += count
            }
        case .maxPool(let window):
            pooled { Kernels.maxPool($0, $1, $2, $3, batch: batch, window: window) }
        case .avgPool(let window):
            pooled { Kernels.avgPool($0, $1, $2, $3, batch: batch, window: window) }
        case .adaptiveAvgPool:
            pooled { Kernels.adaptiveAvgPool($0, $1, $2, $3, batch: batch) }
        case .view:
            break
        case .pad(let top, let left):
            Kernels.pad(source(0), layout(inputs[0]), to: out, layout(index), batch: batch, top: top, left: left)
        case .channelAffine(let scale, let shift, let function):
            scale.withUnsafeBufferPointer { scale in
                shift.withUnsafeBufferPointer { shift in
                    byChannels(layout(inputs[0])) { part, first in
                        Kernels.channelAffine(
                            source(0) + first * part.plane, part, scale: scale.baseAddress! + first,
                            shift: shift.baseAddress! + first, then: function,
                            to: out + first * part.plane, stride: outStride, batch: batch)
                    }
                }
            }
        }
    }
}

/// The buffers of one input shape: the planned arena and the convolution scratch.
private final class Workspace {
    let shape: [Int]
    let memory: MemoryPlan
    let arena: UnsafeMutablePointer<Float>
    let scratch: UnsafeMutablePointer<Float>
    /// Each node's time in the last run, when the plan times nodes.
    var nodeNanoseconds: [UInt64] = []

    init(shape: [Int], memory: MemoryPlan, scratchCount: Int) {
        self.shape = shape
        self.memory = memory
        arena = .allocate(capacity: max(1, memory.arenaCount))
        scratch = .allocate(capacity: max(1, scratchCount))
    }

    deinit {
        arena.deallocate()
        scratch.deallocate()
    }
}
