/// What each allowlisted global builds when a pickle calls it: plain data, never code.
enum PickleReductions {
    /// A call whose arguments do not fit the constructor; the machine adds opcode and offset.
    struct Failure: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    typealias MakeContainer = (ContainerBox.Kind, [PickleItem]) -> PickleItem
    typealias MakeObject = (PickleGlobal, [PickleItem]) -> PickleItem

    static func apply(
        _ global: PickleGlobal, _ arguments: [PickleItem],
        container: MakeContainer, object: MakeObject
    ) throws -> PickleItem {
        switch global.kind {
        case .orderedDict:
            let dict = container(.dict, [])
            guard case .container(let box) = dict else { return dict }
            if let source = arguments.first {
                for pair in try sequence(source, "OrderedDict items") {
                    let items = try sequence(pair, "OrderedDict item")
                    guard items.count == 2 else { throw Failure("OrderedDict item has \(items.count) elements, expected 2") }
                    box.setItem(items[0], items[1])
                }
            }
            return dict
        case .rebuildTensor:
            try expectCount(arguments, 4...4)
            return try tensor(arguments)
        case .rebuildTensorV2:
            try expectCount(arguments, 6...7)
            return try tensor(arguments)
        case .rebuildParameter, .rebuildParameterWithState, .parameter:
            let range = global.kind == .rebuildParameter ? 3...3 : global.kind == .parameter ? 1...2 : 4...4
            try expectCount(arguments, range)
            guard case .tensor = arguments[0] else { throw Failure("data is a \(arguments[0].kindName), expected a tensor") }
            return arguments[0]
        case .rebuildFromTypeV2:
            // After unwrapping, `function` is never `_rebuild_from_type_v2`: this recursion is one level.
            let (function, inner) = try unwrappingTypeRebuilds(global, arguments)
            return try apply(function, inner, container: container, object: object)
        case .torchSize:
            try expectCount(arguments, 0...1)
            let sizes = try arguments.first.map { try sequence($0, "size") } ?? []
            for size in sizes { _ = try integer(size, "size") }
            return container(.tuple, sizes)
        case .codecsEncode:
            return try encode(arguments)
        case .numpyDType:
            try expectCount(arguments, 1...3)
            guard case .string = arguments[0] else { throw Failure("dtype \(arguments[0].kindName), expected a type string") }
            return object(global, arguments)
        case .numpyScalar:
            try expectCount(arguments, 2...2)
            return try NumpyScalar.decode(dtype: arguments[0], data: arguments[1])
        case .builtinSet, .builtinFrozenSet:
            try expectCount(arguments, 0...1)
            return container(.set, try arguments.first.map { try sequence($0, "set items") } ?? [])
        case .builtinBytearray:
            try expectCount(arguments, 0...2)
            switch arguments.first {
            case nil: return .bytes([])
            case .bytes(let bytes)?: return .bytes(bytes)
            case .string?: return try encode(arguments)
            case let other?: throw Failure("bytearray of a \(other.kindName)")
            }
        case .torchScriptValue:
            try expectCount(arguments, 1...2)
            return arguments[0]
        case .tensorType, .storageType, .unsupportedStorageType:
            throw Failure("is a type, not a constructor a checkpoint calls")
        case .foreign:
            return object(global, arguments)
        }
    }

    /// Peels `_rebuild_from_type_v2(function, type, arguments, state)` down to the call of `function` with
    /// `arguments`. torch writes one layer around a tensor subclass; a file can chain layers, so this is a
    /// loop (no recursion, however long the chain) that refuses an argument list reached twice, which is
    /// what a self-referencing chain does.
    private static func unwrappingTypeRebuilds(_ global: PickleGlobal, _ arguments: [PickleItem]) throws -> (PickleGlobal, [PickleItem]) {
        var global = global, arguments = arguments
        var seen = Set<ObjectIdentifier>()
        while global.kind == .rebuildFromTypeV2 {
            try expectCount(arguments, 4...4)
            guard case .global(let function) = arguments[0], function.isAllowlisted else {
                throw Failure("rebuilds with \(arguments[0].kindName), which is not an allowlisted tensor constructor")
            }
            guard case .global(let type) = arguments[1], type.kind == .tensorType || type.kind == .parameter else {
                throw Failure("rebuilds as \(arguments[1].kindName), expected torch.Tensor or Parameter")
            }
            if case .container(let box) = arguments[2], !seen.insert(ObjectIdentifier(box)).inserted {
                throw Failure("arguments contain themselves; cyclic structures are not supported")
            }
            global = function
            arguments = try sequence(arguments[2], "arguments")
        }
        return (global, arguments)
    }

    /// `_codecs.encode(text[, encoding])`, how protocol 2 pickles bytes.
    private static func encode(_ arguments: [PickleItem]) throws -> PickleItem {
        try expectCount(arguments, 1...2)
        guard case .string(let text) = arguments[0] else { throw Failure("encodes a \(arguments[0].kindName), expected str") }
        let encoding = arguments.count > 1 ? arguments[1] : .string("utf-8")
        switch encoding {
        case .string("latin1"), .string("latin-1"), .string("iso-8859-1"):
            var bytes = [UInt8]()
            for scalar in text.unicodeScalars {
                guard scalar.value < 256 else { throw Failure("character U+\(String(scalar.value, radix: 16)) is not Latin-1") }
                bytes.append(UInt8(scalar.value))
            }
            return .bytes(bytes)
        case .string("utf-8"), .string("utf8"): return .bytes(Array(text.utf8))
        default: throw Failure("encoding \(encoding.kindName) is not latin1 or utf-8")
        }
    }

    /// `_rebuild_tensor[_v2](storage, storage_offset, size, stride, …)`.
    private static func tensor(_ arguments: [PickleItem]) throws -> PickleItem {
        guard case .storage(let storage) = arguments[0] else {
            throw Failure("storage is a \(arguments[0].kindName), expected a persistent storage")
        }
        let offset = try integer(arguments[1], "storage offset")
        let shape = try sequence(arguments[2], "size").map { try integer($0, "size") }
        let strides = try sequence(arguments[3], "stride").map { try integer($0, "stride") }
        return .tensor(PendingTensor(storage: storage, storageOffset: offset, shape: shape, strides: strides))
    }

    private static func expectCount(_ arguments: [PickleItem], _ range: ClosedRange<Int>) throws {
        guard range.contains(arguments.count) else {
            let expected = range.count == 1 ? "\(range.lowerBound)" : "\(range.lowerBound)–\(range.upperBound)"
            throw Failure("takes \(expected) arguments, got \(arguments.count)")
        }
    }

    static func sequence(_ item: PickleItem, _ what: String) throws -> [PickleItem] {
        guard case .container(let box) = item, box.kind == .tuple || box.kind == .list else {
            throw Failure("\(what) is a \(item.kindName), expected a tuple or list")
        }
        return box.items
    }

    static func integer(_ item: PickleItem, _ what: String) throws -> Int {
        switch item {
        case .int(let value): return value
        case .bool(let value): return value ? 1 : 0
        default: throw Failure("\(what) is a \(item.kindName), expected an int")
        }
    }
}
