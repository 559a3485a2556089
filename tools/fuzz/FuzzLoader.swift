// Compiled into one module with the PthCheckpoint sources by tools/fuzz_loader.sh, so nothing to import.

/// libFuzzer entry point over the whole loader, mutating the file's bytes: format detection, zip /
/// legacy / tar readers, the pickle machine, tensor reconstruction, the state-dict search and Float32
/// conversion (see `exerciseLoader`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLoader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    exerciseLoader(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
