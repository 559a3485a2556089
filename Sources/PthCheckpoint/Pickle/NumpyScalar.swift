/// Decodes `numpy.core.multiarray.scalar(dtype, bytes)`, how a numpy number (a training
/// checkpoint's `best_acc`) is pickled, into a plain int, float or bool.
enum NumpyScalar {
    static func decode(dtype: PickleItem, data: PickleItem) throws -> PickleItem {
        guard case .object(let box) = dtype, box.global.kind == .numpyDType,
            case .string(let descriptor)? = box.arguments.first
        else {
            throw PickleReductions.Failure("dtype is a \(dtype.kindName), expected numpy.dtype")
        }
        guard case .bytes(let bytes) = data else {
            throw PickleReductions.Failure("scalar data is a \(data.kindName), expected bytes")
        }
        // The byte order is the second field of the dtype's BUILD state, `(3, '<', …)`.
        var bigEndian = descriptor.hasPrefix(">")
        if case .container(let state)? = box.state, state.items.count > 1, case .string(let order) = state.items[1] {
            bigEndian = order == ">"
        }
        let code = descriptor.drop { "<>|=".contains($0) }
        guard let kind = code.first, let width = Int(code.dropFirst()), width == bytes.count,
            [1, 2, 4, 8].contains(width)
        else {
            throw PickleReductions.Failure("numpy dtype \(descriptor) with \(bytes.count) data bytes is not a supported scalar")
        }
        let ordered = bigEndian ? Array(bytes.reversed()) : bytes
        var bits: UInt64 = 0
        for (shift, byte) in ordered.enumerated() { bits |= UInt64(byte) << (8 * UInt64(shift)) }
        switch (kind, width) {
        case ("f", 8): return .float(Double(bitPattern: bits))
        case ("f", 4): return .float(Double(Float(bitPattern: UInt32(bits))))
        case ("f", 2): return .float(Double(Float(halfBits: UInt16(bits))))
        case ("i", _):
            let unused = UInt64(64 - 8 * width)
            return .int(Int(Int64(bitPattern: bits << unused) >> Int64(unused)))
        case ("u", _):
            return bits <= UInt64(Int.max) ? .int(Int(bits)) : .bigInt(ordered + [0])
        case ("b", 1): return .bool(bits != 0)
        default:
            throw PickleReductions.Failure("numpy dtype \(descriptor) is not a supported scalar")
        }
    }
}
