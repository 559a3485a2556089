/// Loads a pickle that holds plain data only (no persistent ids): the legacy format's magic
/// number, protocol and key list, the tar format's counts.
enum PlainPickle {
    static func load(
        _ bytes: UnsafeRawBufferPointer, source: String, at start: Int,
        globals: inout [GlobalUse]
    ) throws -> (value: PickleValue, end: Int) {
        let machine = PickleMachine(bytes: bytes, source: source, start: start)
        let item = try machine.load()
        var converter = PickleConverter(machine: machine) { reference in
            throw CheckpointError(source, "unexpected storage \(reference.key)")
        }
        let value = try converter.value(of: item)
        globals += machine.globalUses
        return (value, machine.position)
    }

    /// The same, for pickles whose globals are not of interest (the tar format's counts and views,
    /// which a foreign global could only turn into values the reader then refuses).
    static func load(_ bytes: UnsafeRawBufferPointer, source: String, at start: Int) throws -> (value: PickleValue, end: Int) {
        var ignored = [GlobalUse]()
        return try load(bytes, source: source, at: start, globals: &ignored)
    }
}
