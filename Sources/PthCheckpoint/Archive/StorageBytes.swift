/// Makes a `TensorStorage` over bytes found in an archive: borrowed in place when they are
/// little-endian and aligned for the dtype (a STORED, 64-byte-aligned zip entry), copied otherwise.
enum StorageBytes {
    static func storage(dtype: DType, bytes: UnsafeRawBufferPointer, owner: AnyObject, bigEndian: Bool) -> TensorStorage {
        let aligned = Int(bitPattern: bytes.baseAddress) % dtype.byteSize == 0
        if !bigEndian && aligned {
            return TensorStorage(dtype: dtype, borrowing: bytes, owner: owner)
        }
        let storage = TensorStorage(dtype: dtype, copying: bytes)
        if bigEndian && dtype.byteSize > 1 { swapInPlace(storage) }
        return storage
    }

    /// Reverses each element's bytes; only ever applied to memory the storage owns.
    private static func swapInPlace(_ storage: TensorStorage) {
        guard let base = storage.bytes.baseAddress else { return }
        let mutable = UnsafeMutableRawPointer(mutating: base)
        let width = storage.dtype.byteSize
        for element in 0..<storage.count {
            let start = mutable + element * width
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
