import Foundation
import PthGraph
import PthModels

/// `pth bench --profile`'s table: each node's share of a run, slowest first, with the multiply-adds
/// of convolutions and linear layers and the rate they ran at.
struct NodeProfile {
    struct Row {
        var name: String
        var kind: String
        var outputShape: [Int]
        var milliseconds: Double
        /// Multiply-adds per run (all images), 0 for nodes that are not products.
        var multiplyAdds: Int
    }

    let rows: [Row]
    let total: Double

    init(network: Network, batch: Int) {
        let graph = network.graph
        let side = network.architecture.inputSize
        let shapes = (try? graph.shapes(forInput: [batch, network.inputChannels, side, side])) ?? []
        let times = network.nodeMilliseconds()
        var rows: [Row] = []
        for (index, node) in graph.nodes.enumerated() where index < times.count && index < shapes.count {
            let shape = shapes[index]
            var kind = Self.kind(node.op)
            var multiplyAdds = 0
            switch node.op {
            case .conv2d(let conv):
                let w = conv.weight.shape
                multiplyAdds = shape.reduce(1, *) * w[1] * w[2] * w[3]
                kind = "conv \(w[2])×\(w[3])/\(conv.stride.height)" + (conv.groups > 1 ? " g\(conv.groups)" : "")
            case .linear(let linear):
                multiplyAdds = shape.reduce(1, *) * linear.weight.shape[1]
            default: break
            }
            rows.append(Row(name: node.name, kind: kind, outputShape: shape, milliseconds: times[index], multiplyAdds: multiplyAdds))
        }
        self.rows = rows.sorted { $0.milliseconds > $1.milliseconds }
        total = rows.reduce(0) { $0 + $1.milliseconds }
    }

    private static func kind(_ op: Op) -> String {
        switch op {
        case .input: "input"
        case .conv2d: "conv"
        case .batchNorm: "batchnorm"
        case .activation(let a): "\(a)"
        case .add: "add"
        case .mul: "mul"
        case .concat: "concat"
        case .maxPool: "maxpool"
        case .avgPool: "avgpool"
        case .adaptiveAvgPool: "adaptive avgpool"
        case .linear: "linear"
        case .flatten: "flatten"
        case .pad: "pad"
        case .channelAffine: "channel affine"
        case .dropout: "dropout"
        }
    }

    /// The rows as aligned text, with a line per kind of node summed at the end.
    func table() -> String {
        var text = "node                                      kind            output            ms/run  share  GFLOP/s\n"
        func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count) }
        for row in rows {
            let rate = row.multiplyAdds > 0 && row.milliseconds > 0 ? String(format: "%7.1f", 2 * Double(row.multiplyAdds) / row.milliseconds / 1e6) : ""
            text += pad(row.name, 42) + pad(row.kind, 16) + pad(row.outputShape.map(String.init).joined(separator: "×"), 16)
            text += String(format: "%8.3f %5.1f%%  ", row.milliseconds, 100 * row.milliseconds / max(total, 1e-9)) + rate + "\n"
        }
        var byKind: [String: (ms: Double, macs: Int)] = [:]
        for row in rows {
            let key = row.kind.hasPrefix("conv") ? row.kind.components(separatedBy: "/")[0] : row.kind
            byKind[key, default: (0, 0)].ms += row.milliseconds
            byKind[key, default: (0, 0)].macs += row.multiplyAdds
        }
        text += String(format: "total %.3f ms/run in nodes\n", total)
        for (kind, sum) in byKind.sorted(by: { $0.value.ms > $1.value.ms }) {
            let rate = sum.macs > 0 ? String(format: ", %.1f GFLOP/s", 2 * Double(sum.macs) / sum.ms / 1e6) : ""
            text += "  " + pad(kind, 16) + String(format: "%8.3f ms %5.1f%%", sum.ms, 100 * sum.ms / max(total, 1e-9)) + rate + "\n"
        }
        return text
    }
}
