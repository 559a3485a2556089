import Foundation
import PthCheckpoint
import PthModels
import PthNumpy

/// A network's state dict as `tools/fixtures/zoo.py` describes it for networks too big to commit as a
/// checkpoint: every periodic tensor by the rule that made it from one shared table, the rest (calibrated
/// BatchNorm statistics, the centred classifier bias, `num_batches_tracked`) in a small checkpoint.
///
/// A periodic tensor's values are `t[i] = table[(offset + i) % period]` put through its rule, each operation
/// rounded as NumPy and PyTorch round it, so the rebuilt bits equal PyTorch's:
/// - `he`: `Float(Double(t) * (gain / fanIn).squareRoot())`, `fanIn` the element count over `shape[0]`;
/// - `affine`: `add + mul * t` in Float32;
/// - then, with `damp`, times `Float(damp)` in Float32.
/// Each rebuilt tensor must match the recipe's checksum (see `checksum(_:)`), so a rule that rebuilds anything
/// else is named rather than left to show up as a parity failure.
struct ZooRecipe: Decodable {
    struct Entry: Decodable {
        let name: String
        /// In the stored checkpoint under `name` rather than periodic.
        var stored: Bool?
        var shape: [Int]?
        var offset: Int?
        /// `he` or `affine`.
        var kind: String?
        var gain: Double?
        var add: Double?
        var mul: Double?
        var damp: Double?
        /// `checksum(_:)` of PyTorch's values, 16 hex digits.
        var checksum: String?
    }

    /// The periodic table's `.npy`, relative to the fixture folder.
    let table: String
    let period: Int
    /// The checkpoint of the stored tensors, relative to the fixture folder.
    let stored: String
    /// Every tensor of the state dict, in its order.
    var tensors: [Entry]

    /// The recipe at `path` (relative to `root`, which its own paths are relative to as well).
    init(_ path: String, in root: URL) throws {
        self = try JSONDecoder().decode(ZooRecipe.self, from: Data(contentsOf: root.appendingPathComponent(path)))
    }

    /// The state dict, periodic tensors rebuilt as Float32 and stored BatchNorm statistics widened to Float32
    /// (as PyTorch's state dict holds them); throws, naming the tensor, on a checksum or rule that does not fit.
    func stateDict(in root: URL) throws -> StateDict {
        let table = try NpyArray(contentsOf: root.appendingPathComponent(self.table).path).values
        guard table.count == period else { throw ModelError(self.table, "\(table.count) values, the recipe says \(period)") }
        let storedDict = try Checkpoint(contentsOf: root.appendingPathComponent(stored).path).stateDict()
        return StateDict(
            try tensors.map { entry in
                guard entry.stored != true else {
                    guard let tensor = storedDict[entry.name] else { throw ModelError(entry.name, "missing from \(stored)") }
                    let widened = tensor.dtype == .bfloat16 ? Tensor(shape: tensor.shape, float32: tensor.floats()) : tensor
                    return StateDict.Entry(name: entry.name, tensor: widened)
                }
                let values = try rebuild(entry, table: table)
                let sum = Self.checksum(values)
                guard sum == entry.checksum else {
                    throw ModelError(entry.name, "rebuilt values have checksum \(sum), PyTorch's \(entry.checksum ?? "none")")
                }
                return StateDict.Entry(name: entry.name, tensor: Tensor(shape: entry.shape ?? [], float32: values))
            })
    }

    private func rebuild(_ entry: Entry, table: [Float]) throws -> [Float] {
        guard let shape = entry.shape, let first = shape.first, first > 0, let offset = entry.offset, (0..<period).contains(offset) else {
            throw ModelError(entry.name, "a periodic tensor needs a shape and an offset in 0..<\(period)")
        }
        let count = shape.reduce(1, *)
        var values = [Float](repeating: 0, count: count)
        var index = offset
        switch (entry.kind, entry.gain, entry.add, entry.mul) {
        case ("he", let gain?, _, _):
            let scale = (gain / Double(count / first)).squareRoot()
            for i in 0..<count {
                values[i] = Float(Double(table[index]) * scale)
                index = index + 1 == period ? 0 : index + 1
            }
        case ("affine", _, let add?, let mul?):
            let (add, mul) = (Float(add), Float(mul))
            for i in 0..<count {
                let product = mul * table[index]
                values[i] = add + product
                index = index + 1 == period ? 0 : index + 1
            }
        default:
            throw ModelError(entry.name, "unknown rule \(entry.kind ?? "none") or its parameters missing")
        }
        if let damp = entry.damp {
            let factor = Float(damp)
            for i in 0..<count { values[i] *= factor }
        }
        return values
    }

    /// `Σ (i + 1) · bits(values[i]) mod 2^64` as 16 hex digits, over the Float32 bit patterns (zoo.py's `checksum`).
    static func checksum(_ values: [Float]) -> String {
        var sum: UInt64 = 0
        for (i, value) in values.enumerated() { sum &+= UInt64(i + 1) &* UInt64(value.bitPattern) }
        let digits = String(sum, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
