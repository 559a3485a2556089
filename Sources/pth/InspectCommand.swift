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

    /// The benchmark mode behind `tools/bench_load.py`: open the file, then reach every floating-point
    /// state-dict tensor as Float32 twice — in place (`withContiguousFloats`, no copy) and copied out
    /// (`floats()`) — timing each step; no hashing or printing inside the timed parts.
    private func timeLoad() throws {
        let clock = { DispatchTime.now().uptimeNanoseconds }
        let start = clock()
        let stateDict = try Checkpoint(contentsOf: file).stateDict()
        let opened = clock()
        var inPlace = 0
        for entry in stateDict.entries where entry.tensor.dtype.isFloatingPoint {
            inPlace += entry.tensor.withContiguousFloats { $0.count }
        }
        let viewed = clock()
        var copied = 0
        for entry in stateDict.entries where entry.tensor.dtype.isFloatingPoint {
            copied += entry.tensor.floats().count
        }
        let end = clock()
        let seconds = { (nanoseconds: UInt64) in String(format: "%.6f", Double(nanoseconds) / 1e9) }
        print("tensors \(stateDict.count) float32_elements \(copied) open \(seconds(opened - start)) "
              + "open_and_view \(seconds(viewed - start)) open_and_copy \(seconds(end - viewed + opened - start))")
        precondition(inPlace == copied)
    }
}
