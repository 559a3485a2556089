/// Turns the machine's mutable items into the immutable `PickleValue` tree, resolving storages to bytes.
///
/// Shared containers convert once (memoised by identity, so a maliciously shared DAG costs its size,
/// not its unfolding); a container that contains itself and nesting beyond the `RecursionBudget` are
/// errors, which keeps the resulting tree finite and safe to free recursively.
struct PickleConverter {
    /// Largest element count (2^28, 1 GiB as Float32) a tensor may have beyond the elements its storage holds.
    static let maximumBroadcastElements = 1 << 28

    /// Keeps the machine (and so every box) alive while converting.
    let machine: PickleMachine
    let resolve: (StorageReference) throws -> TensorStorage
    private var converted: [ObjectIdentifier: PickleValue] = [:]
    private var active: Set<ObjectIdentifier> = []
    private let budget = RecursionBudget()
    private var path: [String] = []

    init(machine: PickleMachine, resolve: @escaping (StorageReference) throws -> TensorStorage) {
        self.machine = machine
        self.resolve = resolve
    }

    /// Where in the tree the converter is (`data.pkl state_dict.conv1.weight`); a deep path keeps its last steps.
    private var location: String {
        if path.isEmpty { return "\(machine.source) root" }
        let steps = path.count > 12 ? ["…"] + path.suffix(8) : path[...]
        return "\(machine.source) \(steps.joined(separator: "."))"
    }

    mutating func value(of item: PickleItem) throws -> PickleValue {
        switch item {
        case .none: return .none
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .bigInt(let bytes): return .bigInt(bytes)
        case .float(let d): return .float(d)
        case .string(let s): return .string(s)
        case .bytes(let b): return .bytes(b)
        case .global(let global):
            return .opaque(OpaqueObject(name: global.qualifiedName, arguments: [], state: nil, listItems: [], dictItems: []))
        case .storage(let reference):
            return .storage(try storage(reference))
        case .tensor(let pending):
            let storage = try storage(pending.storage)
            let tensor: Tensor
            do {
                tensor = try Tensor(storage: storage, storageOffset: pending.storageOffset, shape: pending.shape, strides: pending.strides)
            } catch let failure as CheckpointError {
                throw CheckpointError(location, failure.message)
            }
            // Zero strides let a tiny storage describe an astronomically large (broadcast) tensor, whose
            // conversion would allocate what the file never held: allow that only within a fixed bound.
            guard tensor.count <= max(storage.count, PickleConverter.maximumBroadcastElements) else {
                throw CheckpointError(
                    location,
                    "shape \(tensor.shape) strides \(tensor.strides) spread \(storage.count) stored elements over "
                        + "\(tensor.count); refusing more than \(PickleConverter.maximumBroadcastElements) elements the file does not hold")
            }
            return .tensor(tensor)
        case .container(let box):
            return try memoised(box) { converter in
                switch box.kind {
                case .list: return .list(try converter.values(box.items))
                case .tuple: return .tuple(try converter.values(box.items))
                case .set: return .set(try converter.values(box.items))
                case .dict: return .dict(try converter.entries(box.entries))
                }
            }
        case .object(let object):
            return try memoised(object) { converter in
                if object.global.kind == .numpyDType, case .string(let descriptor)? = object.arguments.first {
                    return .string(descriptor)
                }
                return .opaque(
                    OpaqueObject(
                        name: object.global.qualifiedName,
                        arguments: try converter.values(object.arguments),
                        state: try object.state.map { try converter.value(of: $0) },
                        listItems: try converter.values(object.listItems),
                        dictItems: try converter.entries(object.dictItems)))
            }
        }
    }

    private mutating func storage(_ reference: StorageReference) throws -> TensorStorage {
        do {
            return try resolve(reference)
        } catch let failure as CheckpointError {
            throw CheckpointError(failure.location, "\(failure.message) (for \(location))")
        }
    }

    private mutating func values(_ items: [PickleItem]) throws -> [PickleValue] {
        var out = [PickleValue]()
        out.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            path.append("\(index)")
            out.append(try value(of: item))
            path.removeLast()
        }
        return out
    }

    private mutating func entries(_ pairs: [(key: PickleItem, value: PickleItem)]) throws -> [(key: PickleValue, value: PickleValue)] {
        var out = [(key: PickleValue, value: PickleValue)]()
        out.reserveCapacity(pairs.count)
        for pair in pairs {
            let key = try value(of: pair.key)
            path.append(key.stringValue ?? "<\(pair.key.kindName) key>")
            out.append((key, try value(of: pair.value)))
            path.removeLast()
        }
        return out
    }

    private mutating func memoised(_ box: AnyObject, _ make: (inout PickleConverter) throws -> PickleValue) throws -> PickleValue {
        let id = ObjectIdentifier(box)
        if let done = converted[id] { return done }
        guard !active.contains(id) else { throw CheckpointError(location, "object contains itself; cyclic structures are not supported") }
        try budget.enter(at: location)
        active.insert(id)
        let result = try make(&self)
        active.remove(id)
        budget.leave()
        converted[id] = result
        return result
    }
}
