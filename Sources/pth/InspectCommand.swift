import ArgumentParser
import Foundation
import PthCheckpoint

/// `pth inspect FILE`: what a checkpoint holds, read without executing anything.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "List a checkpoint's tensors (name, dtype, shape, size), its format and any opaque objects.",
        discussion: """
            --json prints {"format", "tensors": [{"name", "dtype", "shape", "sha256"}], "opaque"}, where sha256 is \
            over the tensor's elements in C order, little-endian, in its own dtype (as hashlib over \
            t.contiguous().numpy().tobytes()).
            """)

    @Argument(help: "A .pth / .pt checkpoint (zip, legacy or 2017 tar format).")
    var file: String

    @Flag(help: "Print JSON for scripts instead of a table.")
    var json = false

    @Flag(help: .hidden)
    var time = false

    func run() throws {
        do {
            if time { return try timeLoad() }
            let checkpoint = try Checkpoint(contentsOf: file)
            let stateDict = try checkpoint.stateDict()
            print(json ? InspectReport.json(checkpoint, stateDict) : InspectReport.table(checkpoint, stateDict), terminator: "")
        } catch let error as CheckpointError {
            FileHandle.standardError.write(Data("error: \(file): \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// The benchmark mode behind `tools/bench_load.py`: open the file and turn every state-dict
    /// tensor into contiguous Float32, timed, with no hashing or printing inside the timed part.
    private func timeLoad() throws {
        let start = DispatchTime.now().uptimeNanoseconds
        let stateDict = try Checkpoint(contentsOf: file).stateDict()
        var elements = 0
        for entry in stateDict.entries where entry.tensor.dtype.isFloatingPoint {
            elements += entry.tensor.floats().count
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        print("tensors \(stateDict.count) float32_elements \(elements) seconds \(String(format: "%.6f", seconds))")
    }
}
