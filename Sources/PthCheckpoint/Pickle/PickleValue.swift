/// One node of the object tree a checkpoint's pickle describes.
///
/// Only data: allowlisted globals have already been turned into the values they construct
/// (`OrderedDict` → `.dict`, `_rebuild_tensor_v2` → `.tensor`, `torch.Size` → `.tuple`, numpy
/// scalars → `.int`/`.float`/`.bool`), and every other global is an inert `.opaque` record.
public indirect enum PickleValue: Sendable {
    case none
    case bool(Bool)
    case int(Int)
    /// An integer beyond 64 bits, as little-endian two's-complement bytes (pickle's LONG1/LONG4 form).
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case list([PickleValue])
    case tuple([PickleValue])
    /// Entries in insertion order; a key set twice keeps its first position and last value, as Python does.
    case dict([(key: PickleValue, value: PickleValue)])
    case set([PickleValue])
    case tensor(Tensor)
    /// A `torch.*Storage` referenced directly rather than through a tensor.
    case storage(TensorStorage)
    case opaque(OpaqueObject)

    /// A short name of what this is, for messages (`dict`, `tensor`, `argparse.Namespace object`).
    var kindName: String {
        switch self {
        case .none: return "None"
        case .bool: return "bool"
        case .int, .bigInt: return "int"
        case .float: return "float"
        case .string: return "str"
        case .bytes: return "bytes"
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict: return "dict"
        case .set: return "set"
        case .tensor: return "tensor"
        case .storage: return "storage"
        case .opaque(let object): return "\(object.name) object"
        }
    }

    /// The string, if this is one.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The entries, if this is a dict.
    public var dictEntries: [(key: PickleValue, value: PickleValue)]? {
        if case .dict(let entries) = self { return entries }
        return nil
    }

    /// The value under string key `key`, if this is a dict holding it.
    public subscript(key: String) -> PickleValue? {
        dictEntries?.first { $0.key.stringValue == key }?.value
    }
}

/// An instance of a class that is not on the allowlist, recorded but never constructed:
/// what `pickle.load` would have called, with what, and the state it would have set.
public struct OpaqueObject: Sendable {
    /// `module.name` of the global.
    public let name: String
    /// Arguments of the call (REDUCE / NEWOBJ / INST / OBJ); empty for a bare reference.
    public let arguments: [PickleValue]
    /// State passed by BUILD, if any.
    public let state: PickleValue?
    /// Items APPENDed to the object.
    public let listItems: [PickleValue]
    /// Items SETITEM'd on the object.
    public let dictItems: [(key: PickleValue, value: PickleValue)]
}
