import Foundation
import PthFoundation

/// The safetensors format (`safetensors.torch.save_file`): an 8-byte little-endian header length N,
/// N bytes of JSON `{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {…}}`,
/// then the tensors' raw little-endian bytes, offsets counted from the end of the header.
///
/// Checked as the format's own reader checks it: a header of at most 100 MB that is one JSON object,
/// byte ranges inside the data that tile it exactly (no gap, no overlap: empty tensors may share an
/// offset), and each tensor's shape × dtype size equal to its byte range.
enum SafetensorsFormat {
    /// The reference reader's limit on the header.
    static let maximumHeaderSize = 100_000_000

    /// Whether `bytes` starts like a safetensors file: a plausible header length, then `{`.
    static func looksLikeSafetensors(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 10 else { return false }
        let length = LittleEndian.uint64(bytes, 0)
        return length >= 2 && length <= UInt64(min(maximumHeaderSize, bytes.count - 8)) && bytes[8] == UInt8(ascii: "{")
    }

    /// safetensors dtype names; the float8, float4 and complex kinds have no `DType` and are refused by name.
    static let dtypes: [String: DType] = [
        "F64": .float64, "F32": .float32, "F16": .float16, "BF16": .bfloat16,
        "I64": .int64, "I32": .int32, "I16": .int16, "I8": .int8,
        "U64": .uint64, "U32": .uint32, "U16": .uint16, "U8": .uint8, "BOOL": .bool,
    ]

    /// The tensors as a dict in data order (the order the header lists them when written by safetensors).
    static func load(_ file: MappedFile) throws -> ArchiveContents {
        let bytes = file.bytes
        let headerLength = Int(LittleEndian.uint64(bytes, 0))
        let header = UnsafeRawBufferPointer(rebasing: bytes[8..<(8 + headerLength)])
        guard let object = try? JSONSerialization.jsonObject(with: Data(header)), let fields = object as? [String: Any] else {
            throw CheckpointError("safetensors header", "the \(headerLength)-byte header is not a JSON object")
        }
        let data = UnsafeRawBufferPointer(rebasing: bytes[(8 + headerLength)...])
        var tensors: [(name: String, range: Range<Int>, dtype: DType, shape: [Int])] = []
        for (name, value) in fields where name != "__metadata__" {
            guard let info = value as? [String: Any], let dtypeName = info["dtype"] as? String,
                let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int], offsets.count == 2
            else {
                throw CheckpointError("safetensors \(name)", "header entry lacks dtype (a string), shape or data_offsets [begin, end] (integers)")
            }
            guard let dtype = dtypes[dtypeName] else {
                throw CheckpointError("safetensors \(name)", "dtype \(dtypeName) is not supported (supported: \(dtypes.keys.sorted().joined(separator: ", ")))")
            }
            guard offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= data.count else {
                throw CheckpointError("safetensors \(name)", "data_offsets \(offsets) are outside the \(data.count) bytes of data")
            }
            var elements = 1
            for size in shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: size)
                guard size >= 0, !overflow else { throw CheckpointError("safetensors \(name)", "shape \(shape) is negative or overflows") }
                elements = product
            }
            guard StorageBytes.byteCount(elements, dtype) == offsets[1] - offsets[0] else {
                throw CheckpointError(
                    "safetensors \(name)", "shape \(shape) of \(dtypeName) does not fill data_offsets \(offsets) (\(offsets[1] - offsets[0]) bytes)")
            }
            tensors.append((name, offsets[0]..<offsets[1], dtype, shape))
        }
        tensors.sort { ($0.range.lowerBound, $0.range.upperBound, $0.name) < ($1.range.lowerBound, $1.range.upperBound, $1.name) }
        var end = 0
        for tensor in tensors {
            guard tensor.range.lowerBound == end else {
                throw CheckpointError(
                    "safetensors \(tensor.name)",
                    tensor.range.lowerBound < end
                        ? "data_offsets [\(tensor.range.lowerBound), \(tensor.range.upperBound)] overlap the tensor before it"
                        : "data_offsets start at \(tensor.range.lowerBound), leaving a gap after byte \(end)")
            }
            end = tensor.range.upperBound
        }
        guard end == data.count else {
            throw CheckpointError("safetensors data", "tensors cover \(end) bytes but \(data.count) follow the header")
        }
        var entries: [(key: PickleValue, value: PickleValue)] = []
        for tensor in tensors {
            let storage = StorageBytes.storage(
                dtype: tensor.dtype, bytes: UnsafeRawBufferPointer(rebasing: data[tensor.range]), in: file.memory, bigEndian: false)
            let value = try Tensor(storage: storage, storageOffset: 0, shape: tensor.shape, strides: Tensor.contiguousStrides(for: tensor.shape))
            entries.append((.string(tensor.name), .tensor(value)))
        }
        return ArchiveContents(root: .dict(entries), globals: [])
    }
}
