import ArgumentParser
import Foundation
import PthKernels
import PthModels
import PthRuntime

/// `pth bench`: milliseconds per batch for one architecture, the median of timed runs after warm-up.
/// Prints the same line format as `tools/bench_torch.py`, so the two can be set side by side.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time a network: median ms per batch after warm-up.",
        discussion: """
            Without --weights the network gets deterministic synthetic weights (same shapes, same cost). \
            Known architectures: \(Architecture.all.map(\.name).joined(separator: ", ")).
            """)

    @Option(help: "Architecture name (detected from --weights when omitted).")
    var model: String?

    @Option(help: "A .pth checkpoint to time instead of synthetic weights.")
    var weights: String?

    @Option(parsing: .unconditional, help: "Images per batch (refused when it cannot fit in the memory available).")
    var batch = 1

    @Option(
        parsing: .unconditional, help: "Cores to use: one image's kernels are split over them, a batch's images grouped across them (default: all processors).")
    var threads: Int?

    @Option(parsing: .unconditional, help: "Untimed runs first.")
    var warmup = 3

    @Option(parsing: .unconditional, help: "Timed runs; the median is reported.")
    var runs = 20

    @Flag(help: "Also print each node's time per run (mean over the timed runs), slowest first, with conv and linear layers' GFLOP/s.")
    var profile = false

    func validate() throws {
        if model == nil && weights == nil { throw ValidationError("give --model, --weights, or both") }
        if batch < 1 { throw ValidationError("--batch must be at least 1, given \(batch)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, given \(threads)") }
        if warmup < 0 || runs < 1 { throw ValidationError("--warmup must be ≥ 0 and --runs ≥ 1") }
        if let model { try ModelArgument.checkRunnable(model, presets: false) }
    }

    func run() throws {
        let network: Network
        if let weights {
            let start = DispatchTime.now().uptimeNanoseconds
            network = try Network(contentsOf: weights, architecture: model, threads: threads)
            let loaded = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            // Open, parse, build the graph, fold BatchNorm and compile the kernels: what a user waits for before the first image.
            print("\(weights): loaded, folded and compiled in \(String(format: "%.1f", loaded)) ms")
        } else {
            let architecture = try Architecture.named(model!)
            network = try Network(architecture: architecture, graph: architecture.syntheticGraph(), threads: threads)
        }
        let side = network.architecture.inputSize, channels = network.inputChannels
        try BatchMemory.check(
            batch: batch, perImage: try BatchMemory.bytesPerImage(network, height: side, width: side), flag: "--batch",
            height: side, width: side)
        let count = batch * channels * side * side
        // Any fixed image-like input will do: the cost does not depend on the values.
        let input = FeatureMap(shape: [batch, channels, side, side], values: (0..<count).map { Float($0 % 251) / 125 - 1 })
        for _ in 0..<warmup { _ = try network.run(input) }
        if profile { network.startTimingNodes() }
        var milliseconds: [Double] = []
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try network.run(input)
            milliseconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        milliseconds.sort()
        let median = runs % 2 == 1 ? milliseconds[runs / 2] : (milliseconds[runs / 2 - 1] + milliseconds[runs / 2]) / 2
        print(
            "\(network.architecture.name) batch \(batch) threads \(network.threads): \(String(format: "%.2f", median)) ms/batch "
                + "(median of \(runs) runs after \(warmup) warm-up, swift-pth, \(InstructionSet.active) kernels)")
        if profile { print(NodeProfile(network: network, batch: batch).table(), terminator: "") }
    }
}
