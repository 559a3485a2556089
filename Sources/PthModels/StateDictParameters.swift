import PthCheckpoint
import PthFoundation
import PthGraph

/// Reads a builder's parameters out of a state dict: every key must be present with the expected
/// shape, and `finish()` reports keys the architecture never asked for.
struct StateDictParameters: ParameterSource {
    let stateDict: StateDict
    /// The architecture being built, named in errors.
    let architecture: String
    /// Keys that may be present without being used (eval-mode leftovers such as `AuxLogits.*`).
    let ignoring: (String) -> Bool
    private var used: Set<String> = []

    init(_ stateDict: StateDict, architecture: String, ignoring: @escaping (String) -> Bool) {
        self.stateDict = stateDict
        self.architecture = architecture
        self.ignoring = ignoring
    }

    mutating func constant(_ key: String, shape: [Int]) throws -> Constant {
        let tensor = try self.tensor(key, expected: "\(shape)")
        guard tensor.shape == shape else {
            throw ModelError(key, "checkpoint has \(tensor.shape), \(architecture) expects \(shape)")
        }
        used.insert(key)
        // Float32 weights are read where they lie, nothing copied: in memory of the checkpoint's own, or in a
        // mapped file until the execution plan has copied them into its kernels' own form (packed GEMM
        // weights, see `ExecutionPlan`), which then releases the mapped pages.
        if let memory = tensor.borrowedFloats() { return Constant(shape: shape, borrowing: memory) }
        // fp16, bf16 and fp64 checkpoints (and views, DEFLATEd entries) convert here, once, to the Float32 the kernels run in.
        return Constant(shape: shape, values: tensor.floats())
    }

    func leadingDimension(of key: String, trailing: [Int]) throws -> Int {
        let expected = "[N, \(trailing.map(String.init).joined(separator: ", "))]"
        let tensor = try self.tensor(key, expected: expected)
        guard tensor.shape.count == trailing.count + 1, Array(tensor.shape.dropFirst()) == trailing, tensor.shape[0] >= 1 else {
            throw ModelError(key, "checkpoint has \(tensor.shape), \(architecture) expects \(expected)")
        }
        return tensor.shape[0]
    }

    func inputChannels(ofStem key: String, default channels: Int) throws -> Int {
        // A missing or misshapen stem is left to the conv that reads it, which names the shape it expects.
        guard let tensor = stateDict[key], tensor.shape.count == 4, tensor.shape[1] >= 1 else { return channels }
        return tensor.shape[1]
    }

    /// Throws if the state dict holds keys the architecture does not use (besides
    /// `num_batches_tracked` and the architecture's ignored keys), naming the first few.
    func finish() throws {
        let leftovers = stateDict.names.filter {
            !used.contains($0) && !$0.hasSuffix("num_batches_tracked") && !ignoring($0)
        }
        guard leftovers.isEmpty else {
            let shown = leftovers.prefix(5).joined(separator: ", ")
            let more = leftovers.count > 5 ? " and \(leftovers.count - 5) more" : ""
            throw ModelError(architecture, "\(leftovers.count) checkpoint key(s) not used by the architecture: \(shown)\(more)")
        }
    }

    private func tensor(_ key: String, expected shape: String) throws -> Tensor {
        guard let tensor = stateDict[key] else {
            throw ModelError(key, "missing from checkpoint, \(architecture) expects \(shape)")
        }
        guard tensor.dtype.isFloatingPoint else {
            throw ModelError(key, "checkpoint stores \(tensor.dtype.rawValue), \(architecture) expects a floating-point tensor")
        }
        return tensor
    }
}
