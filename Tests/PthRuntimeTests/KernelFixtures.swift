import Foundation
import PthGraph
import PthNumpy

/// The cases of `fixtures/kernels/cases.json` (written by `tools/fixtures/kernels.py`): small
/// graphs in the IR's JSON form, with an input and PyTorch's output for it.
struct KernelFixture: Decodable {
    struct Node: Decodable {
        var name: String
        var op: String
        var inputs: [Int]
        var channels: Int?
        var weight: String?
        var bias: String?
        var mean: String?
        var `var`: String?
        var eps: Float?
        var stride: [Int]?
        var padding: [Int]?
        var dilation: [Int]?
        var groups: Int?
        var activation: String?
        var kind: String?
        var kernel: [Int]?
        var ceilMode: Bool?
        var countIncludePad: Bool?
        var size: [Int]?
        var scale: [Float]?
        var shift: [Float]?
    }

    struct Tap: Decodable {
        var node: Int
        var expected: String
    }

    var name: String
    var nodes: [Node]
    var output: Int
    var taps: [String: Tap]
    var input: String
    var expected: String

    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/kernels")

    static func all() throws -> [KernelFixture] {
        let data = try Data(contentsOf: directory.appendingPathComponent("cases.json"))
        return try JSONDecoder().decode([KernelFixture].self, from: data)
    }

    static func array(_ file: String) throws -> NpyArray {
        try NpyArray(contentsOf: directory.appendingPathComponent(file).path)
    }

    static func constant(_ file: String?) throws -> Constant {
        guard let file else { throw FixtureError("missing constant") }
        let array = try array(file)
        return Constant(shape: array.shape, values: array.values)
    }

    /// The graph as the IR states it, before freezing.
    func graph() throws -> Graph {
        var graph = Graph()
        for node in nodes {
            let inputs = node.inputs.map(ValueID.init)
            graph.add(try op(node), inputs, name: node.name)
        }
        graph.output = ValueID(output)
        for (name, tap) in taps { graph.tap(ValueID(tap.node), as: name) }
        return graph
    }

    private func op(_ node: Node) throws -> Op {
        func size(_ pair: [Int]?) -> Size2d { Size2d(pair![0], pair![1]) }
        func padding(_ p: [Int]?) -> Padding2d { Padding2d(top: p![0], bottom: p![1], left: p![2], right: p![3]) }
        func activation(_ name: String?) throws -> Activation {
            guard let name, let activation = Activation(rawValue: name) else { throw FixtureError("\(node.name): activation \(name ?? "nil")") }
            return activation
        }
        func pool() -> Pool2d {
            Pool2d(
                kernel: size(node.kernel), stride: size(node.stride), padding: padding(node.padding),
                ceilMode: node.ceilMode!, countIncludePad: node.countIncludePad!)
        }
        switch node.op {
        case "input": return .input(channels: node.channels!)
        case "conv2d":
            return .conv2d(
                Conv2d(
                    weight: try Self.constant(node.weight), bias: try node.bias.map { try Self.constant($0) },
                    stride: size(node.stride), padding: padding(node.padding), dilation: size(node.dilation),
                    groups: node.groups!, activation: try activation(node.activation)))
        case "batchNorm":
            return .batchNorm(
                BatchNorm(
                    weight: try Self.constant(node.weight), bias: try Self.constant(node.bias),
                    runningMean: try Self.constant(node.mean), runningVar: try Self.constant(node.var), eps: node.eps!))
        case "activation": return .activation(try activation(node.kind))
        case "add": return .add(.identity)
        case "mul": return .mul
        case "concat": return .concat
        case "maxPool": return .maxPool(pool())
        case "avgPool": return .avgPool(pool())
        case "adaptiveAvgPool": return .adaptiveAvgPool(size(node.size))
        case "linear":
            return .linear(
                Linear(
                    weight: try Self.constant(node.weight), bias: try node.bias.map { try Self.constant($0) },
                    activation: try activation(node.activation)))
        case "flatten": return .flatten
        case "pad": return .pad(padding(node.padding))
        case "channelAffine": return .channelAffine(scale: node.scale!, shift: node.shift!, activation: .identity)
        case "dropout": return .dropout
        default: throw FixtureError("\(node.name): unknown op \(node.op)")
        }
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
