/// What the pickle machine keeps on its stack and in its memo while it runs.
///
/// Containers are reference boxes because pickle mutates them after they are memoised
/// (EMPTY_DICT, BINPUT, …, SETITEMS) and a later GET must see the filled container.
/// Every box is registered with the machine, which empties them all when it finishes, so
/// freeing a maliciously deep structure never recurses (see `PickleMachine.tearDown`).
enum PickleItem {
    case none
    case bool(Bool)
    case int(Int)
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case container(ContainerBox)
    case global(PickleGlobal)
    case object(ObjectBox)
    case storage(StorageReference)
    case tensor(PendingTensor)

    /// A short name of the kind of value, for error messages.
    var kindName: String {
        switch self {
        case .none: return "None"
        case .bool: return "bool"
        case .int, .bigInt: return "int"
        case .float: return "float"
        case .string: return "str"
        case .bytes: return "bytes"
        case .container(let box): return box.kind.rawValue
        case .global(let global): return "global \(global.qualifiedName)"
        case .object(let object): return "\(object.global.qualifiedName) object"
        case .storage: return "storage"
        case .tensor: return "tensor"
        }
    }
}

/// A list, tuple, dict or set under construction.
final class ContainerBox {
    enum Kind: String { case list, tuple, dict, set }
    let kind: Kind
    /// Elements of a list, tuple or set.
    var items: [PickleItem] = []
    /// Entries of a dict, in insertion order.
    var entries: [(key: PickleItem, value: PickleItem)] = []
    /// Position in `entries` of each hashable key, so a repeated key replaces in place like Python.
    private var positions: [DictKey: Int] = [:]

    init(_ kind: Kind, items: [PickleItem] = []) {
        self.kind = kind
        self.items = items
    }

    func setItem(_ key: PickleItem, _ value: PickleItem) {
        if let hashable = DictKey(key) {
            if let position = positions[hashable] {
                entries[position].value = value
                return
            }
            positions[hashable] = entries.count
        }
        entries.append((key, value))
    }

    func removeAll() {
        items = []
        entries = []
        positions = [:]
    }
}

/// The keys torch checkpoints use (strings, ints, bytes), hashable for duplicate detection.
enum DictKey: Hashable {
    case string(String)
    case int(Int)
    case bytes([UInt8])
    case bool(Bool)

    init?(_ item: PickleItem) {
        switch item {
        case .string(let s): self = .string(s)
        case .int(let i): self = .int(i)
        case .bool(let b): self = .int(b ? 1 : 0)
        case .bytes(let b): self = .bytes(b)
        default: return nil
        }
    }
}

/// An instance made by calling a global: an inert foreign object, or a numpy dtype awaiting its BUILD state.
final class ObjectBox {
    let global: PickleGlobal
    var arguments: [PickleItem]
    var state: PickleItem?
    var listItems: [PickleItem] = []
    var dictItems: [(key: PickleItem, value: PickleItem)] = []

    init(global: PickleGlobal, arguments: [PickleItem]) {
        self.global = global
        self.arguments = arguments
    }

    func removeAll() {
        arguments = []
        state = nil
        listItems = []
        dictItems = []
    }
}

/// A tensor described by the pickle whose storage bytes may not have been read yet
/// (the legacy stream stores them after the pickle).
struct PendingTensor {
    let storage: StorageReference
    let storageOffset: Int
    let shape: [Int]
    let strides: [Int]
}

/// A storage named by a persistent id; the archive reader resolves it to bytes.
struct StorageReference {
    /// Archive key (`data/<key>` in a zip, the storage key in the legacy and tar formats).
    let key: String
    let dtype: DType
    /// Elements the pickle says the storage holds (legacy and zip), or nil when the archive says (tar).
    let count: Int?
    /// For a legacy view: the key of the view, its offset and size in elements within the root storage.
    let view: (key: String, offset: Int, count: Int)?
}
