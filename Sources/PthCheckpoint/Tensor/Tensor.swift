import PthFoundation

/// A tensor as a checkpoint stores it: a strided view into a shared `TensorStorage`.
///
/// Views of one storage share it (no copy per view). Shape, strides and offset are
/// validated against the storage when the tensor is made, so reading never goes out of bounds.
public struct Tensor: Sendable {
    /// Element type (that of the storage).
    public var dtype: DType { storage.dtype }
    /// Size of each dimension; empty for a 0-d (scalar) tensor.
    public let shape: [Int]
    /// Step in elements between neighbours along each dimension.
    public let strides: [Int]
    /// Index of the first element in the storage.
    public let storageOffset: Int
    /// The shared storage.
    public let storage: TensorStorage

    /// Makes a view, checking that every element it can reach lies inside the storage.
    public init(storage: TensorStorage, storageOffset: Int, shape: [Int], strides: [Int]) throws {
        guard shape.count == strides.count else {
            throw CheckpointError("tensor", "shape \(shape) has \(shape.count) dimensions but strides \(strides) has \(strides.count)")
        }
        guard storageOffset >= 0 else { throw CheckpointError("tensor", "negative storage offset \(storageOffset)") }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw CheckpointError("tensor", "negative size in shape \(shape)") }
        guard strides.allSatisfy({ $0 >= 0 }) else { throw CheckpointError("tensor", "negative stride in \(strides)") }
        var count = 1
        var lastIndex = storageOffset
        for (size, stride) in zip(shape, strides) {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow else { throw CheckpointError("tensor", "shape \(shape) overflows") }
            count = product
            if size > 0 {
                let (reach, overflow2) = (size - 1).multipliedReportingOverflow(by: stride)
                let (sum, overflow3) = lastIndex.addingReportingOverflow(reach)
                guard !overflow2, !overflow3 else { throw CheckpointError("tensor", "strides \(strides) overflow") }
                lastIndex = sum
            }
        }
        if count > 0 && lastIndex >= storage.count {
            throw CheckpointError(
                "tensor", "shape \(shape) strides \(strides) offset \(storageOffset) reach element \(lastIndex) of a storage of \(storage.count)")
        }
        self.storage = storage
        self.storageOffset = storageOffset
        self.shape = shape
        self.strides = strides
    }

    /// A C-contiguous tensor over a whole new storage holding `values`.
    public init(shape: [Int], float32 values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not hold \(values.count) values")
        self.storage = values.withUnsafeBytes { TensorStorage(dtype: .float32, copying: $0) }
        self.storageOffset = 0
        self.shape = shape
        self.strides = Tensor.contiguousStrides(for: shape)
    }

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }

    /// Strides of a C-contiguous tensor of `shape`.
    public static func contiguousStrides(for shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var step = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = step
            step *= max(shape[axis], 1)
        }
        return strides
    }

    /// Whether the elements lie in C order without gaps.
    public var isContiguous: Bool {
        // An empty tensor reads nothing, whatever its strides (and its sizes may overflow a product).
        if count == 0 { return true }
        var expected = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) where shape[axis] != 1 {
            if strides[axis] != expected { return false }
            expected *= shape[axis]
        }
        return true
    }

    /// Calls `body` with the storage index of every element, in C order.
    @inline(__always)
    func forEachStorageIndex(_ body: (Int) -> Void) {
        let total = count
        if total == 0 { return }
        if isContiguous {
            for i in 0..<total { body(storageOffset + i) }
            return
        }
        var index = [Int](repeating: 0, count: shape.count)
        var position = storageOffset
        for _ in 0..<total {
            body(position)
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                position += strides[axis]
                if index[axis] < shape[axis] { break }
                position -= strides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }

    /// The elements in C-contiguous order, little-endian, in the tensor's own dtype —
    /// the bytes of `t.contiguous().numpy().tobytes()`.
    public func contiguousBytes() -> [UInt8] {
        // Torch accepts any storage offset on an empty tensor, so it must not be used to slice.
        if count == 0 { return [] }
        let size = dtype.byteSize
        if isContiguous {
            let start = storageOffset * size
            return Array(storage.bytes[start..<(start + count * size)])
        }
        var out = [UInt8]()
        out.reserveCapacity(count * size)
        let bytes = storage.bytes
        forEachStorageIndex { index in
            let start = index * size
            out.append(contentsOf: bytes[start..<(start + size)])
        }
        return out
    }

    /// Lets the OS drop the resident pages wholly inside the elements of a contiguous tensor borrowed
    /// from a mapped file: they read back unchanged from the file if touched again, so a caller that
    /// keeps the values in another form (packed weights) stops paying for them twice. No effect on
    /// in-memory bytes or views.
    public func releaseResidentPages() {
        guard isContiguous, count > 0 else { return }
        let start = storageOffset * storage.dtype.byteSize
        storage.memory.releaseResidentPages(start..<(start + count * storage.dtype.byteSize))
    }

    /// Calls `body` with the elements as contiguous Float32 in C order: in place, with no copy, when
    /// `borrowedFloats()` can lend them (a STORED zip entry is then read straight from the mapped
    /// file); through `floats()` otherwise.
    public func withContiguousFloats<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        if count == 0 { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        if let memory = borrowedFloats() { return try withExtendedLifetime(memory) { try body(memory.buffer(of: Float.self)) } }
        return try floats().withUnsafeBufferPointer(body)
    }

    /// The elements in place as Float32 (`buffer(of: Float.self)`): a slice of the storage's memory,
    /// which keeps a mapped file mapped, when the tensor is non-empty contiguous float32 at an aligned
    /// address; nil when they would need converting or copying (use `floats()` then).
    public func borrowedFloats() -> OwnedMemory? {
        guard count > 0, dtype == .float32, isContiguous, let base = storage.bytes.baseAddress else { return nil }
        guard Int(bitPattern: base + storageOffset * 4) % MemoryLayout<Float>.alignment == 0 else { return nil }
        return storage.memory.slice((storageOffset * 4)..<((storageOffset + count) * 4))
    }

    /// The elements as contiguous Float32 in C order. Any dtype converts
    /// (floats by rounding to nearest, integers and bools by value).
    public func floats() -> [Float] {
        if count == 0 { return [] }
        let bytes = storage.bytes
        if dtype == .float32 && isContiguous {
            // The common case (every weight of a float32 checkpoint) is one memcpy out of the mapping.
            let start = storageOffset * 4, total = count
            let copy = [Float](unsafeUninitializedCapacity: total) { buffer, initialized in
                if total > 0 {
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + total * 4)]))
                }
                initialized = total
            }
            // A STORED entry's pages would otherwise stay resident beside the copy until the
            // checkpoint closes (a second copy of every weight in RSS while a model is built).
            storage.memory.releaseResidentPages(start..<(start + total * 4))
            return copy
        }
        let convert: (Int) -> Float
        switch dtype {
        case .float32: convert = { bytes.load(fromByteOffset: $0 * 4, as: Float.self) }
        case .float64: convert = { Float(bytes.load(fromByteOffset: $0 * 8, as: Double.self)) }
        case .float16: convert = { Float(halfBits: bytes.load(fromByteOffset: $0 * 2, as: UInt16.self)) }
        case .bfloat16: convert = { Float(bitPattern: UInt32(bytes.load(fromByteOffset: $0 * 2, as: UInt16.self)) << 16) }
        case .int64: convert = { Float(bytes.load(fromByteOffset: $0 * 8, as: Int64.self)) }
        case .int32: convert = { Float(bytes.load(fromByteOffset: $0 * 4, as: Int32.self)) }
        case .int16: convert = { Float(bytes.load(fromByteOffset: $0 * 2, as: Int16.self)) }
        case .int8: convert = { Float(bytes.load(fromByteOffset: $0, as: Int8.self)) }
        case .uint8, .bool: convert = { Float(bytes[$0]) }
        case .uint16: convert = { Float(bytes.load(fromByteOffset: $0 * 2, as: UInt16.self)) }
        case .uint32: convert = { Float(bytes.load(fromByteOffset: $0 * 4, as: UInt32.self)) }
        case .uint64: convert = { Float(bytes.load(fromByteOffset: $0 * 8, as: UInt64.self)) }
        }
        var out = [Float]()
        out.reserveCapacity(count)
        forEachStorageIndex { out.append(convert($0)) }
        return out
    }
}
