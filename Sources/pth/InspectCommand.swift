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

    @Flag(help: "List every global the pickle references, marking those not on the allowlist; exit status 2 if plain pickle.load would import and run any of them.")
    var scan = false

    @Flag(help: .hidden)
    var time = false

    func run() throws {
        do {
            if time { return try timeLoad() }
            if scan { return try scanGlobals() }
            let checkpoint = try Checkpoint(contentsOf: file)
            let stateDict = try checkpoint.stateDict()
            print(json ? InspectReport.json(checkpoint, stateDict) : InspectReport.table(checkpoint, stateDict), terminator: "")
        } catch let error as CheckpointError {
            FileHandle.standardError.write(Data("error: \(file): \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// `--scan`: the pickle is run (never executed) only to list its globals; no storage is read.
    private func scanGlobals() throws {
        let (format, globals) = try Checkpoint.scan(contentsOf: file)
        var out = "format: \(format.rawValue)\n"
        for global in globals {
            out += "  \(global.isAllowlisted ? "allowlisted" : "FOREIGN    ")  \(global.name)\n"
        }
        let foreign = globals.filter { !$0.isAllowlisted }.count
        if foreign == 0 {
            out += "every global is an allowlisted data constructor\n"
        } else {
            out += "\(foreign) foreign global\(foreign == 1 ? "" : "s"): plain pickle.load (and torch.load with weights_only=False) "
                + "would import and call \(foreign == 1 ? "it" : "them"); swift-pth keeps them as inert opaque values\n"
        }
        print(out, terminator: "")
        if foreign > 0 { throw ExitCode(2) }
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
