import ArgumentParser
import Foundation
import PthCheckpoint

/// `pth inspect FILE`: what a checkpoint holds, read without executing anything.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "List a checkpoint's tensors (name, dtype, shape, size), its format, which state dict would be used and any opaque objects.",
        discussion: """
            --json prints {"format", "state_dict": {"path", "reason", "stripped_module_prefix"}, \
            "tensors": [{"name", "dtype", "shape", "sha256"}], "elsewhere": [{"path", "dtype", "shape", "sha256"}], "opaque"}: \
            tensors is the state dict a network would be built from, elsewhere every other tensor in the file by dotted \
            path; sha256 is over the tensor's elements in C order, little-endian, in its own dtype (as hashlib over \
            t.contiguous().numpy().tobytes()).
            """)

    @Argument(help: "A checkpoint: .pth / .pt (zip, legacy or 2017 tar format, state dict or whole module), a TorchScript archive or .safetensors.")
    var file: String

    @Flag(help: "Print JSON for scripts instead of a table.")
    var json = false

    @Option(name: .customLong("state-dict"), help: "Dotted path of the state dict to use (generator, state.model); default: the documented search.")
    var stateDictKey: String?

    @Flag(
        help:
            "List every global the pickle references with its number of uses, checked against PyTorch's weights_only=True allowlist; exit status 3 if torch.load(weights_only=True) would refuse any of them."
    )
    var scan = false

    func run() throws {
        do {
            if scan { return try scanGlobals() }
            let checkpoint = try Checkpoint(contentsOf: file)
            let selection = try checkpoint.selectStateDict(key: stateDictKey)
            print(json ? try InspectReport.json(checkpoint, selection) : try InspectReport.table(checkpoint, selection), terminator: "")
        } catch let error as CheckpointError {
            throw CommandFailure(.fatal, "\(file): \(error)")
        }
    }

    /// `--scan`: the pickles are run (never executed) only to list their globals; no storage is read.
    private func scanGlobals() throws {
        let scan = try Checkpoint.scan(contentsOf: file)
        print(json ? InspectReport.scanJSON(scan) : InspectReport.scan(scan), terminator: "")
        if scan.globals.contains(where: { !$0.isWeightsOnlyAllowed }) { throw ExitStatus.foreignGlobals.exit }
    }
}
