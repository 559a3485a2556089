import PthGraph
import XCTest

@testable import PthRuntime

/// A squeeze-excitation product moved into the 1×1 conv after it (`FuseChannelScale`) gives the
/// numbers of the separate product bit for bit: the conv's GEMM multiplies each input channel by its
/// factor as it reads it, one rounding as the product had. Single images split over cores, and
/// batches whose small maps run as one GEMM, both checked.
final class ChannelScaleFusionTests: XCTestCase {
    private func conv(_ inChannels: Int, _ outChannels: Int, kernel: Int, groups: Int = 1, seed: UInt64, activation: Activation) -> Conv2d {
        Conv2d(
            weight: Constant(
                shape: [outChannels, inChannels / groups, kernel, kernel],
                values: pseudoRandom(count: outChannels * inChannels / groups * kernel * kernel, seed: seed)),
            bias: Constant(shape: [outChannels], values: pseudoRandom(count: outChannels, seed: seed + 1)),
            padding: Padding2d((kernel - 1) / 2, (kernel - 1) / 2), groups: groups, activation: activation)
    }

    /// An MBConv block without its residual: expand, depthwise, squeeze-excitation, project.
    private func block() -> Graph {
        var graph = Graph()
        let x = graph.add(.input(channels: 8), name: "x")
        let expand = graph.add(.conv2d(conv(8, 48, kernel: 1, seed: 1, activation: .silu)), [x], name: "expand")
        let depthwise = graph.add(.conv2d(conv(48, 48, kernel: 3, groups: 48, seed: 3, activation: .silu)), [expand], name: "depthwise")
        let pool = graph.add(.adaptiveAvgPool(.square(1)), [depthwise], name: "se.avgpool")
        let fc1 = graph.add(.conv2d(conv(48, 2, kernel: 1, seed: 5, activation: .silu)), [pool], name: "se.fc1")
        let fc2 = graph.add(.conv2d(conv(2, 48, kernel: 1, seed: 7, activation: .sigmoid)), [fc1], name: "se.fc2")
        let product = graph.add(.mul, [depthwise, fc2], name: "se")
        graph.output = graph.add(.conv2d(conv(48, 64, kernel: 1, seed: 9, activation: .identity)), [product], name: "project")
        return graph
    }

    func testFusedProductGivesTheSeparateProductsNumbers() throws {
        // The freezing pipeline without FuseChannelScale.
        let passes: [any GraphPass] = [DropDropout(), FoldBatchNorm(), FuseActivation()]
        var separate = block()
        for pass in passes { separate = try pass.apply(to: separate) }
        let fused = try Freezing.freeze(block())
        XCTAssertFalse(fused.nodes.contains { $0.op == .mul }, "the product was fused")
        // 2×4 maps: a batch (or a thread's group of two images) runs the projection as one GEMM;
        // 9×11 maps: image by image.
        for (batch, side) in [(1, 2), (3, 2), (1, 9), (3, 9)] {
            let input = FeatureMap(shape: [batch, 8, side, side + 2], values: pseudoRandom(count: batch * 8 * side * (side + 2), seed: 11))
            for threads in [1, 2] {
                let plans = try [separate, fused].map { try ExecutionPlan(graph: $0, threads: threads) }
                for plan in plans { plan.splitsSmallWork = true }
                let expected = try plans[0].run(input).output, output = try plans[1].run(input).output
                XCTAssertEqual(output.shape, expected.shape)
                XCTAssertEqual(output.values.map(\.bitPattern), expected.values.map(\.bitPattern), "batch \(batch), \(side)×\(side + 2), \(threads) threads")
            }
        }
    }
}
