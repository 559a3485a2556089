import Foundation
import PthNumpy

/// Where `forward` and `preprocess` write their `.npy`: a file, checked writable before any work, or
/// standard output for `-`, so a tensor can be piped (`pth preprocess x.jpg --model m --output - | python …`).
enum NpyOutput {
    /// Fails now, naming the file and the reason, if `output` could not be written later.
    static func check(_ output: String) throws {
        if output != "-" { try BatchOutput.checkWritable(output) }
    }

    static func write(_ array: NpyArray, to output: String) throws {
        guard output == "-" else { return try array.write(to: output) }
        // NpyArray writes files only, so the bytes go through a temporary one.
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("pth-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).npy").path
        defer { unlink(temporary) }
        try array.write(to: temporary)
        try BatchOutput.standardOutput().write([UInt8](try Data(contentsOf: URL(fileURLWithPath: temporary))))
    }
}
