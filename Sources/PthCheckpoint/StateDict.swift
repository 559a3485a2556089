/// Named tensors in the order the checkpoint lists them, with torch's own key names
/// (`layer3.4.conv2.weight`, `Mixed_6e.branch7x7_2.conv.weight`).
public struct StateDict: Sendable {
    /// One named tensor.
    public struct Entry: Sendable {
        /// The key as torch wrote it (`layer1.0.conv1.weight`).
        public let name: String
        /// The tensor stored under `name`.
        public let tensor: Tensor
        /// An entry pairing `name` with `tensor`.
        public init(name: String, tensor: Tensor) {
            self.name = name
            self.tensor = tensor
        }
    }

    /// Entries in checkpoint order.
    public private(set) var entries: [Entry]
    private var indexByName: [String: Int]

    /// Makes a state dict; a later entry with a name already present replaces the earlier one.
    public init(_ entries: [Entry]) {
        self.entries = []
        self.indexByName = [:]
        for entry in entries { self[entry.name] = entry.tensor }
    }

    /// Tensor names in checkpoint order.
    public var names: [String] { entries.map(\.name) }

    /// Number of tensors.
    public var count: Int { entries.count }

    /// The tensor named `name`, if present. Setting appends a new name or replaces in place.
    public subscript(name: String) -> Tensor? {
        get { indexByName[name].map { entries[$0].tensor } }
        set {
            if let index = indexByName[name] {
                if let tensor = newValue {
                    entries[index] = Entry(name: name, tensor: tensor)
                } else {
                    entries.remove(at: index)
                    indexByName = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($1.name, $0) })
                }
            } else if let tensor = newValue {
                indexByName[name] = entries.count
                entries.append(Entry(name: name, tensor: tensor))
            }
        }
    }

    /// A copy with every name passed through `rename`, order kept.
    public func renamingKeys(_ rename: (String) -> String) -> StateDict {
        StateDict(entries.map { Entry(name: rename($0.name), tensor: $0.tensor) })
    }
}
