/// The pickle virtual machine: an opcode loop over a byte buffer that builds `PickleItem`s.
///
/// It never executes anything. Globals are resolved against the allowlist (`PickleGlobal`);
/// REDUCE / NEWOBJ / INST / OBJ on an allowlisted global build data (`PickleReductions`), on any
/// other global they record an inert `ObjectBox`. Every length is checked against the bytes
/// left before anything is allocated, and each opcode consumes at least one byte, so the
/// stack, memo and object count are bounded by the input size and the loop always ends.
final class PickleMachine {
    /// Resolves a persistent id (PERSID / BINPERSID) to the object it stands for.
    typealias PersistentLoad = (PickleItem) throws -> PickleItem

    let bytes: UnsafeRawBufferPointer
    /// Name used in error locations (`data.pkl`, `pickle`, `legacy stream`).
    let source: String
    /// Offset of the next byte to read.
    private(set) var position: Int
    /// Offset of the opcode being executed, for error messages.
    private(set) var opcodeOffset = 0
    var persistentLoad: PersistentLoad?

    private var stack: [PickleItem] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleItem] = [:]
    private var containers: [ContainerBox] = []
    private var objects: [ObjectBox] = []
    /// Every global the pickle references, in order of first reference, with its number of uses.
    private(set) var globalUses: [GlobalUse] = []
    private var useIndex: [String: Int] = [:]
    /// Every global the pickle references, in order of first reference.
    var globals: [PickleGlobal] { globalUses.map(\.global) }

    init(bytes: UnsafeRawBufferPointer, source: String, start: Int = 0) {
        self.bytes = bytes
        self.source = source
        self.position = start
    }

    deinit { tearDown() }

    /// Empties every container before any is freed, so releasing a structure nested a
    /// million deep is a flat loop rather than a million nested deinits.
    private func tearDown() {
        stack = []
        memo = [:]
        for box in containers { box.removeAll() }
        for object in objects { object.removeAll() }
    }

    func error(_ message: String) -> CheckpointError {
        CheckpointError("\(source) offset \(opcodeOffset)", message)
    }

    /// Runs until STOP and returns the object left on the stack.
    func load() throws -> PickleItem {
        while true {
            opcodeOffset = position
            let byte = try readByte(what: "opcode")
            guard let opcode = PickleOpcode(rawValue: byte) else {
                throw error("unknown opcode 0x\(String(byte, radix: 16, uppercase: false)) (\(printable(byte)))")
            }
            if opcode == .stop {
                let result = try pop(opcode)
                return result
            }
            try execute(opcode)
        }
    }

    private func printable(_ byte: UInt8) -> String {
        (0x20..<0x7F).contains(byte) ? "'\(Character(UnicodeScalar(byte)))'" : "non-printable"
    }

    // MARK: - Reading bytes

    private var remaining: Int { bytes.count - position }

    private func readByte(what: String) throws -> UInt8 {
        guard position < bytes.count else { throw error("input ends where \(what) was expected") }
        defer { position += 1 }
        return bytes[position]
    }

    /// Checks that `count` bytes remain (before anything of that size is allocated) and returns their range.
    private func take(_ count: Int, for opcode: PickleOpcode) throws -> Range<Int> {
        guard count >= 0, count <= remaining else {
            throw error("\(opcode.name) length \(count) exceeds the \(remaining) bytes left")
        }
        defer { position += count }
        return position..<(position + count)
    }

    private func takeLength(_ width: Int, for opcode: PickleOpcode) throws -> Range<Int> {
        let raw = try readUnsigned(width, for: opcode)
        guard raw <= UInt64(Int.max) else { throw error("\(opcode.name) length \(raw) exceeds the \(remaining) bytes left") }
        return try take(Int(raw), for: opcode)
    }

    private func readUnsigned(_ width: Int, for opcode: PickleOpcode) throws -> UInt64 {
        guard width <= remaining else { throw error("input ends inside \(opcode.name)'s \(width)-byte argument") }
        let range = try take(width, for: opcode)
        var value: UInt64 = 0
        for (shift, index) in range.enumerated() { value |= UInt64(bytes[index]) << (8 * UInt64(shift)) }
        return value
    }

    private func readBytes(_ range: Range<Int>) -> [UInt8] {
        Array(UnsafeRawBufferPointer(rebasing: bytes[range]))
    }

    /// A protocol-0 text argument: the bytes up to the next newline (which is consumed).
    private func readLine(for opcode: PickleOpcode) throws -> [UInt8] {
        let start = position
        var end = start
        while end < bytes.count && bytes[end] != 0x0A { end += 1 }
        guard end < bytes.count else { throw error("\(opcode.name) argument has no terminating newline") }
        position = end + 1
        return readBytes(start..<end)
    }

    private func readLineString(for opcode: PickleOpcode) throws -> String {
        let line = try readLine(for: opcode)
        guard let text = String(validating: line, as: UTF8.self) else { throw error("\(opcode.name) argument is not UTF-8") }
        return text
    }

    private func decodeUTF8(_ range: Range<Int>, for opcode: PickleOpcode) throws -> String {
        guard let text = String(validating: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self) else {
            throw error("\(opcode.name) string is not valid UTF-8")
        }
        return text
    }

    // MARK: - Stack

    private func push(_ item: PickleItem) { stack.append(item) }

    private func pop(_ opcode: PickleOpcode) throws -> PickleItem {
        guard stack.count > (marks.last ?? 0) else {
            throw error("\(opcode.name) needs a value but the stack is empty")
        }
        return stack.removeLast()
    }

    private func top(_ opcode: PickleOpcode) throws -> PickleItem {
        guard let top = stack.last, stack.count > (marks.last ?? 0) else {
            throw error("\(opcode.name) needs a value but the stack is empty")
        }
        return top
    }

    /// Pops everything above the topmost MARK, and the mark.
    private func popMark(_ opcode: PickleOpcode) throws -> [PickleItem] {
        guard let mark = marks.popLast() else { throw error("\(opcode.name) without a MARK") }
        let items = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return items
    }

    private func newContainer(_ kind: ContainerBox.Kind, items: [PickleItem] = []) -> PickleItem {
        let box = ContainerBox(kind, items: items)
        containers.append(box)
        return .container(box)
    }

    private func newObject(_ global: PickleGlobal, arguments: [PickleItem]) -> PickleItem {
        let object = ObjectBox(global: global, arguments: arguments)
        objects.append(object)
        return .object(object)
    }

    private func memoGet(_ index: Int, _ opcode: PickleOpcode) throws -> PickleItem {
        guard let item = memo[index] else {
            throw error("\(opcode.name) \(index) but memo has \(memo.count) entries and not that one")
        }
        if case .global(let global) = item { countUse(of: global) }
        return item
    }

    private func memoPut(_ index: Int, _ opcode: PickleOpcode) throws {
        guard index >= 0 else { throw error("\(opcode.name) negative index \(index)") }
        memo[index] = try top(opcode)
    }

    private func reference(_ module: String, _ name: String) -> PickleItem {
        let global = PickleGlobal(module: module, name: name)
        countUse(of: global)
        return .global(global)
    }

    private func countUse(of global: PickleGlobal) {
        if let index = useIndex[global.qualifiedName] {
            globalUses[index].count += 1
        } else {
            useIndex[global.qualifiedName] = globalUses.count
            globalUses.append(GlobalUse(global: global, count: 1))
        }
    }

    // MARK: - Opcodes

    private func execute(_ opcode: PickleOpcode) throws {
        switch opcode {
        case .stop: break
        case .proto:
            let version = try readByte(what: "protocol version")
            guard version <= 5 else { throw error("PROTO \(version) is newer than protocol 5") }
        case .frame:
            let length = try readUnsigned(8, for: opcode)
            guard length <= UInt64(remaining) else { throw error("FRAME length \(length) exceeds the \(remaining) bytes left") }
        case .mark: marks.append(stack.count)
        case .pop:
            if let mark = marks.last, stack.count == mark {
                // pickle's POP discards a bare MARK when nothing was pushed after it.
                marks.removeLast()
            } else {
                _ = try pop(opcode)
            }
        case .popMark: _ = try popMark(opcode)
        case .dup: push(try top(opcode))

        case .none: push(.none)
        case .newTrue: push(.bool(true))
        case .newFalse: push(.bool(false))
        case .int:
            let text = try readLineString(for: opcode)
            if text == "00" { push(.bool(false)) } else if text == "01" { push(.bool(true)) } else { push(try parseDecimal(text, opcode)) }
        case .long:
            var text = try readLineString(for: opcode)
            if text.hasSuffix("L") { text.removeLast() }
            push(try parseDecimal(text, opcode))
        case .binInt: push(.int(Int(Int32(truncatingIfNeeded: try readUnsigned(4, for: opcode)))))
        case .binInt1: push(.int(Int(try readUnsigned(1, for: opcode))))
        case .binInt2: push(.int(Int(try readUnsigned(2, for: opcode))))
        case .long1: push(littleEndianInteger(try takeLength(1, for: opcode)))
        case .long4:
            let length = Int32(truncatingIfNeeded: try readUnsigned(4, for: opcode))
            guard length >= 0 else { throw error("LONG4 negative length \(length)") }
            push(littleEndianInteger(try take(Int(length), for: opcode)))
        case .float:
            let text = try readLineString(for: opcode)
            guard let value = Double(text) else { throw error("FLOAT \(text.prefix(40)) is not a number") }
            push(.float(value))
        case .binFloat:
            push(.float(Double(bitPattern: try readUnsigned(8, for: opcode).byteSwapped)))

        case .string:
            guard let raw = PickleText.unquote(try readLine(for: opcode)) else {
                throw error("STRING argument is not a quoted string literal")
            }
            push(legacyString(raw))
        case .binString:
            let length = Int32(truncatingIfNeeded: try readUnsigned(4, for: opcode))
            guard length >= 0 else { throw error("BINSTRING negative length \(length)") }
            push(legacyString(readBytes(try take(Int(length), for: opcode))))
        case .shortBinString: push(legacyString(readBytes(try takeLength(1, for: opcode))))
        case .unicode:
            let line = try readLine(for: opcode)
            guard let text = PickleText.rawUnicodeEscape(line) else { throw error("UNICODE argument has a bad escape") }
            push(.string(text))
        case .shortBinUnicode: push(.string(try decodeUTF8(try takeLength(1, for: opcode), for: opcode)))
        case .binUnicode: push(.string(try decodeUTF8(try takeLength(4, for: opcode), for: opcode)))
        case .binUnicode8: push(.string(try decodeUTF8(try takeLength(8, for: opcode), for: opcode)))
        case .shortBinBytes: push(.bytes(readBytes(try takeLength(1, for: opcode))))
        case .binBytes: push(.bytes(readBytes(try takeLength(4, for: opcode))))
        case .binBytes8, .byteArray8: push(.bytes(readBytes(try takeLength(8, for: opcode))))
        case .nextBuffer: throw error("NEXT_BUFFER: out-of-band buffers are not part of a checkpoint file")
        case .readonlyBuffer: _ = try top(opcode)

        case .emptyTuple: push(newContainer(.tuple))
        case .tuple1: let a = try pop(opcode); push(newContainer(.tuple, items: [a]))
        case .tuple2:
            let b = try pop(opcode), a = try pop(opcode)
            push(newContainer(.tuple, items: [a, b]))
        case .tuple3:
            let c = try pop(opcode), b = try pop(opcode), a = try pop(opcode)
            push(newContainer(.tuple, items: [a, b, c]))
        case .tuple: push(newContainer(.tuple, items: try popMark(opcode)))
        case .emptyList: push(newContainer(.list))
        case .list: push(newContainer(.list, items: try popMark(opcode)))
        case .emptyDict: push(newContainer(.dict))
        case .dict:
            let items = try popMark(opcode)
            guard items.count % 2 == 0 else { throw error("DICT with an odd number (\(items.count)) of keys and values") }
            let dict = newContainer(.dict)
            try setItems(items, into: dict, opcode)
            push(dict)
        case .emptySet: push(newContainer(.set))
        case .frozenSet: push(newContainer(.set, items: try popMark(opcode)))

        case .append:
            let value = try pop(opcode)
            try append([value], to: try top(opcode), opcode)
        case .appends:
            let values = try popMark(opcode)
            try append(values, to: try top(opcode), opcode)
        case .addItems:
            let values = try popMark(opcode)
            guard case .container(let box) = try top(opcode), box.kind == .set else {
                throw error("ADDITEMS on \(try top(opcode).kindName), expected a set")
            }
            box.items.append(contentsOf: values)
        case .setItem:
            let value = try pop(opcode), key = try pop(opcode)
            try setItems([key, value], into: try top(opcode), opcode)
        case .setItems:
            let items = try popMark(opcode)
            guard items.count % 2 == 0 else { throw error("SETITEMS with an odd number (\(items.count)) of keys and values") }
            try setItems(items, into: try top(opcode), opcode)

        case .get:
            let text = try readLineString(for: opcode)
            guard let index = Int(text) else { throw error("GET index \(text.prefix(40)) is not an integer") }
            push(try memoGet(index, opcode))
        case .binGet: push(try memoGet(Int(try readUnsigned(1, for: opcode)), opcode))
        case .longBinGet: push(try memoGet(Int(try readUnsigned(4, for: opcode)), opcode))
        case .put:
            let text = try readLineString(for: opcode)
            guard let index = Int(text) else { throw error("PUT index \(text.prefix(40)) is not an integer") }
            try memoPut(index, opcode)
        case .binPut: try memoPut(Int(try readUnsigned(1, for: opcode)), opcode)
        case .longBinPut: try memoPut(Int(try readUnsigned(4, for: opcode)), opcode)
        case .memoize: try memoPut(memo.count, opcode)

        case .global:
            let module = try readLineString(for: opcode)
            let name = try readLineString(for: opcode)
            push(reference(module, name))
        case .stackGlobal:
            let name = try pop(opcode), module = try pop(opcode)
            guard case .string(let m) = module, case .string(let n) = name else {
                throw error("STACK_GLOBAL needs two strings, got \(module.kindName) and \(name.kindName)")
            }
            push(reference(m, n))
        case .ext1, .ext2, .ext4:
            let code = try readUnsigned(opcode == .ext1 ? 1 : opcode == .ext2 ? 2 : 4, for: opcode)
            throw error("\(opcode.name) \(code): the copyreg extension registry is not used by checkpoints")

        case .reduce:
            let arguments = try pop(opcode), callable = try pop(opcode)
            push(try call(callable, arguments: try tupleItems(arguments, opcode), opcode))
        case .newObj:
            let arguments = try pop(opcode), cls = try pop(opcode)
            push(try call(cls, arguments: try tupleItems(arguments, opcode), opcode))
        case .newObjEx:
            let keywords = try pop(opcode), arguments = try pop(opcode), cls = try pop(opcode)
            var all = try tupleItems(arguments, opcode)
            if case .container(let box) = keywords, box.kind == .dict, !box.entries.isEmpty { all.append(keywords) }
            push(try call(cls, arguments: all, opcode))
        case .inst:
            let module = try readLineString(for: opcode)
            let name = try readLineString(for: opcode)
            let arguments = try popMark(opcode)
            push(try call(reference(module, name), arguments: arguments, opcode))
        case .obj:
            var items = try popMark(opcode)
            guard !items.isEmpty else { throw error("OBJ without a class") }
            let cls = items.removeFirst()
            push(try call(cls, arguments: items, opcode))
        case .build:
            let state = try pop(opcode)
            if case .object(let object) = try top(opcode) { object.state = state }
        // BUILD on a dict, list or tensor sets Python attributes (OrderedDict._metadata): not data we keep.

        case .persId:
            let id = try readLineString(for: opcode)
            push(try persistent(.string(id), opcode))
        case .binPersId:
            push(try persistent(try pop(opcode), opcode))
        }
    }

    private func persistent(_ id: PickleItem, _ opcode: PickleOpcode) throws -> PickleItem {
        guard let persistentLoad else { throw error("\(opcode.name) but this pickle takes no persistent ids") }
        do {
            return try persistentLoad(id)
        } catch let failure as CheckpointError {
            throw error("\(opcode.name): \(failure.location == "" ? "" : failure.location + ": ")\(failure.message)")
        } catch let failure as PickleReductions.Failure {
            throw error("\(opcode.name): \(failure.message)")
        }
    }

    private func tupleItems(_ item: PickleItem, _ opcode: PickleOpcode) throws -> [PickleItem] {
        guard case .container(let box) = item, box.kind == .tuple else {
            throw error("\(opcode.name) arguments are a \(item.kindName), expected a tuple")
        }
        return box.items
    }

    private func append(_ values: [PickleItem], to target: PickleItem, _ opcode: PickleOpcode) throws {
        switch target {
        case .container(let box) where box.kind == .list: box.items.append(contentsOf: values)
        case .object(let object): object.listItems.append(contentsOf: values)
        default: throw error("\(opcode.name) on \(target.kindName), expected a list")
        }
    }

    private func setItems(_ flat: [PickleItem], into target: PickleItem, _ opcode: PickleOpcode) throws {
        switch target {
        case .container(let box) where box.kind == .dict:
            for pair in stride(from: 0, to: flat.count, by: 2) { box.setItem(flat[pair], flat[pair + 1]) }
        case .object(let object):
            for pair in stride(from: 0, to: flat.count, by: 2) { object.dictItems.append((flat[pair], flat[pair + 1])) }
        default: throw error("\(opcode.name) on \(target.kindName), expected a dict")
        }
    }

    /// REDUCE, NEWOBJ, INST and OBJ: an allowlisted global builds data, any other becomes an inert object.
    private func call(_ callable: PickleItem, arguments: [PickleItem], _ opcode: PickleOpcode) throws -> PickleItem {
        guard case .global(let global) = callable else {
            throw error("\(opcode.name) calls a \(callable.kindName), expected a global")
        }
        if !global.isAllowlisted { return newObject(global, arguments: arguments) }
        do {
            return try PickleReductions.apply(
                global, arguments, container: { self.newContainer($0, items: $1) },
                object: { self.newObject($0, arguments: $1) })
        } catch let failure as PickleReductions.Failure {
            throw error("\(opcode.name) \(global.qualifiedName): \(failure.message)")
        }
    }

    // MARK: - Literals

    /// A Python 2 `str` from a protocol 0–2 pickle: text if it is UTF-8 (torch loads with encoding='utf-8'), else bytes.
    private func legacyString(_ raw: [UInt8]) -> PickleItem {
        if let text = String(validating: raw, as: UTF8.self) { return .string(text) }
        return .bytes(raw)
    }

    private func littleEndianInteger(_ range: Range<Int>) -> PickleItem {
        let raw = readBytes(range)
        if raw.count > 8 { return PickleText.normalisedInteger(raw) }
        if raw.isEmpty { return .int(0) }
        var value: UInt64 = 0
        for (shift, byte) in raw.enumerated() { value |= UInt64(byte) << (8 * UInt64(shift)) }
        let unused = 64 - 8 * raw.count
        return .int(Int(Int64(bitPattern: value << UInt64(unused)) >> Int64(unused)))
    }

    private func parseDecimal(_ text: String, _ opcode: PickleOpcode) throws -> PickleItem {
        if let value = Int(text) { return .int(value) }
        guard let big = PickleText.decimalToTwosComplement(text) else {
            throw error("\(opcode.name) \(text.prefix(40)) is not an integer (or has more than \(PickleText.maximumDigits) digits)")
        }
        return big
    }
}
