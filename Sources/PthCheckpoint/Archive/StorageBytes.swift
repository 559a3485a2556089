import PthFoundation

/// Makes a `TensorStorage` over bytes found in an archive: a slice of the archive's memory when they
/// are little-endian and aligned for the dtype (a STORED, 64-byte-aligned zip entry), copied otherwise.
enum StorageBytes {
    /// A storage over `bytes`, which lie inside `memory`.
    static func storage(dtype: DType, bytes: UnsafeRawBufferPointer, in memory: OwnedMemory, bigEndian: Bool) -> TensorStorage {
        let aligned = Int(bitPattern: bytes.baseAddress) % dtype.byteSize == 0
        if !bigEndian && aligned {
            return TensorStorage(dtype: dtype, memory: memory.slice(over: bytes))
        }
        precondition(bytes.count % dtype.byteSize == 0, "storage size is not a whole number of elements")
        return TensorStorage(
            dtype: dtype,
            memory: OwnedMemory(byteCount: bytes.count) { copy in
                if bytes.count > 0 { copy.copyMemory(from: bytes) }
                if bigEndian && dtype.byteSize > 1 { swapEach(copy, width: dtype.byteSize) }
            })
    }

    /// Reverses the bytes of each `width`-byte element.
    private static func swapEach(_ bytes: UnsafeMutableRawBufferPointer, width: Int) {
        guard let base = bytes.baseAddress else { return }
        for element in 0..<(bytes.count / width) {
            let start = base + element * width
            for i in 0..<(width / 2) {
                let a = start.load(fromByteOffset: i, as: UInt8.self)
                start.storeBytes(of: start.load(fromByteOffset: width - 1 - i, as: UInt8.self), toByteOffset: i, as: UInt8.self)
                start.storeBytes(of: a, toByteOffset: width - 1 - i, as: UInt8.self)
            }
        }
    }

    /// `count * dtype.byteSize`, or nil when that overflows or is negative.
    static func byteCount(_ count: Int, _ dtype: DType) -> Int? {
        guard count >= 0 else { return nil }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        return overflow ? nil : bytes
    }
}
