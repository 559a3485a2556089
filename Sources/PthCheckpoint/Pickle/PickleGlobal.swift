/// A global (`module.name`) a pickle references, resolved against the allowlist.
///
/// Nothing is ever imported or called. An allowlisted global is a data constructor that the
/// machine interprets itself; any other global is `foreign` and calling it yields an inert
/// `OpaqueObject`.
struct PickleGlobal {
    enum Kind: Equatable {
        case orderedDict
        case rebuildTensor  // torch._utils._rebuild_tensor(storage, offset, size, stride)
        case rebuildTensorV2  // torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])
        case rebuildParameter  // torch._utils._rebuild_parameter(data, requires_grad, hooks)
        case rebuildParameterWithState
        case rebuildFromTypeV2  // torch._tensor._rebuild_from_type_v2(func, new_type, args, state)
        case parameter  // torch.nn.parameter.Parameter(data, requires_grad)
        case tensorType  // torch.Tensor, torch.FloatTensor… (new_type / legacy tensor class)
        case storageType(DType)  // torch.FloatStorage…
        case unsupportedStorageType  // torch.ComplexFloatStorage, quantized storages: recognised, refused when used
        case torchSize
        case codecsEncode  // _codecs.encode(str, 'latin1'): bytes under protocol 2
        case numpyScalar
        case numpyDType
        case builtinSet, builtinFrozenSet, builtinBytearray
        case torchScriptValue  // torch.jit._pickle.build_intlist(list), restore_type_tag(value, type): the value itself
        case foreign
    }

    let module: String
    let name: String
    let kind: Kind

    var qualifiedName: String { "\(module).\(name)" }
    var isAllowlisted: Bool { kind != .foreign }
    /// Whether PyTorch's own `weights_only=True` unpickler accepts it (see `WeightsOnlyAllowlist`).
    var isWeightsOnlyAllowed: Bool { WeightsOnlyAllowlist.contains(module: module, name: name) }

    init(module: String, name: String) {
        self.module = module
        self.name = name
        self.kind = PickleGlobal.resolve(module: module, name: name)
    }

    /// Storage classes by name, as `torch.<Name>Storage` (torch.storage.UntypedStorage holds bytes).
    static let storageTypes: [String: DType] = [
        "FloatStorage": .float32, "DoubleStorage": .float64, "HalfStorage": .float16,
        "BFloat16Storage": .bfloat16, "LongStorage": .int64, "IntStorage": .int32,
        "ShortStorage": .int16, "CharStorage": .int8, "ByteStorage": .uint8, "BoolStorage": .bool,
        "UntypedStorage": .uint8,
    ]

    private static let legacyTensorTypes: Set<String> = [
        "Tensor", "FloatTensor", "DoubleTensor", "HalfTensor", "BFloat16Tensor", "LongTensor",
        "IntTensor", "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor",
    ]

    /// The data constructors named exactly (storage and tensor types are matched by pattern in `resolve`);
    /// tools/fixtures/allowlist.json lists the same names for the fixture generators, and a test keeps them equal.
    static let constructors: [String: Kind] = [
        "collections.OrderedDict": .orderedDict,
        "torch._utils._rebuild_tensor": .rebuildTensor,
        "torch._utils._rebuild_tensor_v2": .rebuildTensorV2,
        "torch._utils._rebuild_parameter": .rebuildParameter,
        "torch._utils._rebuild_parameter_with_state": .rebuildParameterWithState,
        "torch._tensor._rebuild_from_type_v2": .rebuildFromTypeV2,
        "torch.nn.parameter.Parameter": .parameter,
        "torch.Size": .torchSize,
        "_codecs.encode": .codecsEncode,
        "numpy.core.multiarray.scalar": .numpyScalar,
        "numpy._core.multiarray.scalar": .numpyScalar,
        "numpy.dtype": .numpyDType,
        "builtins.set": .builtinSet,
        "builtins.frozenset": .builtinFrozenSet,
        "builtins.bytearray": .builtinBytearray,
        "torch.jit._pickle.build_intlist": .torchScriptValue,
        "torch.jit._pickle.build_doublelist": .torchScriptValue,
        "torch.jit._pickle.build_boollist": .torchScriptValue,
        "torch.jit._pickle.build_tensorlist": .torchScriptValue,
        "torch.jit._pickle.restore_type_tag": .torchScriptValue,
    ]

    private static func resolve(module: String, name: String) -> Kind {
        // Python 2's `__builtin__` is today's `builtins`, as pickle's compatibility mapping reads it.
        if let kind = constructors["\(module == "__builtin__" ? "builtins" : module).\(name)"] { return kind }
        if module == "torch" || module == "torch.storage" || module == "torch.cuda" {
            if let dtype = storageTypes[name] { return .storageType(dtype) }
            if name.hasSuffix("Storage") { return .unsupportedStorageType }
            if module != "torch.storage" && legacyTensorTypes.contains(name) { return .tensorType }
        }
        return .foreign
    }
}

/// A global and how many times a pickle used it: pushed by GLOBAL / STACK_GLOBAL / INST or fetched
/// again from the memo, so a class counts once per object made from it and a storage type once per storage.
struct GlobalUse {
    let global: PickleGlobal
    var count: Int
}
