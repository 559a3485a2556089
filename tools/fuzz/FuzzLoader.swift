// Compiled into one module with the PthCheckpoint sources by tools/fuzz_loader.sh, so nothing to import.

/// libFuzzer entry point over the whole loader: format detection, zip / legacy / tar readers,
/// the pickle machine, tensor reconstruction, the state-dict search and Float32 conversion.
/// Any trap, sanitizer report, leak or timeout is a finding; thrown `CheckpointError`s are the
/// expected outcome for bad input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLoader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let checkpoint = try? Checkpoint(bytes: UnsafeRawBufferPointer(start: data, count: size)) else { return 0 }
    _ = checkpoint.opaqueObjects
    if let stateDict = try? checkpoint.stateDict() {
        for entry in stateDict.entries {
            _ = entry.tensor.contiguousBytes()
            _ = entry.tensor.floats()
        }
    }
    return 0
}
