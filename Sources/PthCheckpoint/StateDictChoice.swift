/// A state dict and where in the file it came from.
public struct StateDictSelection: Sendable {
    /// The tensors, with torch's names.
    public let stateDict: StateDict
    /// Which dict was chosen, why, and whether `module.` was stripped.
    public let choice: StateDictChoice
}

/// Which dict of a checkpoint `selectStateDict` chose and why: what `pth inspect` prints.
public struct StateDictChoice: Sendable, Equatable, CustomStringConvertible {
    /// Why that dict.
    public enum Reason: String, Sendable {
        /// The caller named it.
        case requested
        /// The top level is a dict of tensors.
        case topLevel = "top_level"
        /// The top level is a pickled nn.Module.
        case wholeModule = "whole_module"
        /// The top level is a TorchScript module.
        case torchScript = "torchscript"
        /// The first of `Checkpoint.stateDictKeys` holding one.
        case searchOrder = "search_order"
        /// The only dict of tensors or module in the file.
        case onlyCandidate = "only_candidate"
    }

    /// Dotted path from the top level (`model`, `state.model`); empty for the top level itself.
    public let path: String
    /// Why the search took it.
    public let reason: Reason
    /// Whether every name started with `module.` and that prefix was removed.
    public let strippedModulePrefix: Bool

    /// One line for people: `state_dict (the first of …); \`module.\` prefix stripped`.
    public var description: String {
        let place = path.isEmpty ? "the top level" : path
        let why: String
        switch reason {
        case .requested: why = "as requested"
        case .topLevel: why = "a dict of tensors"
        case .wholeModule: why = "a whole pickled nn.Module: its parameters and persistent buffers"
        case .torchScript: why = "a TorchScript module: its parameters and buffers"
        case .searchOrder: why = "the first of \(Checkpoint.stateDictKeys.joined(separator: ", ")) that holds tensors"
        case .onlyCandidate: why = "the only dict of tensors in the file"
        }
        return "\(place) (\(why))\(strippedModulePrefix ? "; `module.` prefix stripped" : "")"
    }
}
