import Dispatch
import Foundation
import PthCheckpoint

// Usage: bench-load CHECKPOINT — opens the file, then reaches every floating-point state-dict tensor as
// Float32 twice: in place (`withContiguousFloats`, no copy) and copied out (`floats()`), timing each step.
// Prints one line of name–value pairs for tools/bench_load.py:
//   tensors N float32_elements E open S open_and_view S open_and_copy S      (seconds)
let arguments = CommandLine.arguments
guard arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: bench-load CHECKPOINT\n".utf8))
    exit(64)
}
let clock = { DispatchTime.now().uptimeNanoseconds }
let start = clock()
let stateDict = try Checkpoint(contentsOf: arguments[1]).stateDict()
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
// Both walks must have reached the same elements, or the two times measure different work.
precondition(inPlace == copied, "in place \(inPlace) elements, copied \(copied)")
let seconds = { (nanoseconds: UInt64) in String(format: "%.6f", Double(nanoseconds) / 1e9) }
print(
    "tensors \(stateDict.count) float32_elements \(copied) open \(seconds(opened - start)) "
        + "open_and_view \(seconds(viewed - start)) open_and_copy \(seconds(end - viewed + opened - start))")
