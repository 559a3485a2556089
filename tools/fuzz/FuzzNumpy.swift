// Compiled into one module with the PthNumpy sources by tools/fuzz_loader.sh, so nothing to import.

/// libFuzzer entry point over the `.npy` reader: any input ends in an array or an `NpyArray.Error`,
/// and an array that loads writes back to bytes that load as the same array, bit for bit.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNumpy(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let array: NpyArray
    do {
        array = try NpyArray(npyBytes: bytes)
    } catch {
        precondition(error is NpyArray.Error && !"\(error)".contains("\n"), "unexpected error: \(error)")
        return 0
    }
    precondition(array.values.count == array.shape.reduce(1, *), "shape \(array.shape) with \(array.values.count) values")
    let again = try! NpyArray(npyBytes: array.npyBytes())
    precondition(again.shape == array.shape && again.values.map(\.bitPattern) == array.values.map(\.bitPattern), "round trip changed the array")
    return 0
}
