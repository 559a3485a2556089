/// Loads a pickle that holds plain data only (no persistent ids): the legacy format's magic
/// number, protocol and key list, the tar format's counts.
enum PlainPickle {
    static func load(_ bytes: UnsafeRawBufferPointer, source: String, at start: Int) throws -> (value: PickleValue, end: Int) {
        let machine = PickleMachine(bytes: bytes, source: source, start: start)
        let item = try machine.load()
        var converter = PickleConverter(machine: machine) { reference in
            throw CheckpointError(source, "unexpected storage \(reference.key)")
        }
        return (try converter.value(of: item), machine.position)
    }
}
