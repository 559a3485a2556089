import PthFoundation

/// A storage that is a window onto another (legacy and tar storage views), sharing its bytes.
enum StorageView {
    static func slice(_ root: TensorStorage, key: String, offset: Int, count: Int) throws -> TensorStorage {
        guard offset >= 0, count >= 0, offset <= root.count, count <= root.count - offset else {
            throw CheckpointError("storage view \(key)", "elements \(offset)..<\(offset &+ count) are outside a root storage of \(root.count)")
        }
        let width = root.dtype.byteSize
        return TensorStorage(dtype: root.dtype, memory: root.memory.slice((offset * width)..<((offset + count) * width)))
    }
}
