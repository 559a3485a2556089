/// Turns a stream of fuzzer choices into a pickle program that torch's unpickler would accept as
/// well-formed: every opcode finds on the stack what it pops, MARK frames nest, memo GETs name
/// entries that were PUT, and argument tuples are complete. What the choices vary is the meaning —
/// containers that alias and contain themselves through the memo, every container opcode, calls of
/// every allowlisted global (with the arguments torch writes, with wrong ones, nested and cyclic),
/// persistent ids of every kind — which is where a byte-level mutator rarely gets.
struct PickleProgram {
    /// The three layouts a program's persistent ids follow, one per checkpoint format.
    enum Format: CaseIterable { case zip, legacy, tar }

    /// A storage the program's persistent ids reference; the archive writer gives it bytes.
    struct Storage {
        let key: String
        let typeName: String
        let elementSize: Int
        let count: Int
    }

    /// A tensor record of the tar format, referenced from the pickle by its key.
    struct TarTensor {
        let key: String
        let storageKey: String
        let shape: [Int]
        let strides: [Int]
        let offset: Int
    }

    /// What the generator knows about a stack slot or memo entry: enough to keep opcodes well-formed.
    enum Slot: Equatable { case value, list, dict, set, tuple, global }

    let format: Format
    private(set) var bytes: [UInt8] = []
    private(set) var storages: [Storage] = []
    private(set) var tarTensors: [TarTensor] = []
    private var choices: FuzzChoices
    /// The choices not used by the program, for whatever wraps it.
    var remainingChoices: FuzzChoices { choices }
    private var stack: [Slot] = []
    private var marks: [Int] = []
    private var memo: [Int: Slot] = [:]

    static let storageTypes: [(name: String, size: Int)] = [
        ("FloatStorage", 4), ("DoubleStorage", 8), ("HalfStorage", 2), ("BFloat16Storage", 2), ("LongStorage", 8),
        ("IntStorage", 4), ("ShortStorage", 2), ("CharStorage", 1), ("ByteStorage", 1), ("BoolStorage", 1),
        ("UntypedStorage", 1), ("ComplexFloatStorage", 8), ("QInt8Storage", 1),
    ]

    /// Every allowlisted global (see `PickleGlobal.resolve`) and foreign ones, as (module, name).
    static let globals: [(String, String)] = [
        ("collections", "OrderedDict"), ("torch._utils", "_rebuild_tensor"), ("torch._utils", "_rebuild_tensor_v2"),
        ("torch._utils", "_rebuild_parameter"), ("torch._utils", "_rebuild_parameter_with_state"),
        ("torch._tensor", "_rebuild_from_type_v2"), ("torch.nn.parameter", "Parameter"), ("torch", "Tensor"),
        ("torch", "FloatTensor"), ("torch", "FloatStorage"), ("torch", "LongStorage"), ("torch.cuda", "HalfStorage"),
        ("torch.storage", "UntypedStorage"), ("torch", "ComplexFloatStorage"), ("torch", "Size"), ("_codecs", "encode"),
        ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"), ("numpy", "dtype"),
        ("builtins", "set"), ("__builtin__", "frozenset"), ("builtins", "bytearray"),
        ("torch._utils", "_rebuild_tensor_v3"), ("argparse", "Namespace"), ("os", "system"), ("torch.nn.modules.conv", "Conv2d"),
    ]

    static let words = [
        "weight", "bias", "state_dict", "model", "module.conv1.weight", "net", "ema", "running_mean",
        "storage", "module", "cpu", "latin1", "utf-8", "f8", "<i4", "|b1", "<f2", ">u8", "", "0", "1",
    ]

    init(format: Format, choices: FuzzChoices) {
        self.format = format
        self.choices = choices
    }

    /// Writes a whole program: PROTO, a choice-driven run of steps, then opcodes that fold the stack into one root, STOP.
    mutating func generate() -> [UInt8] {
        op(0x80); bytes.append(UInt8(choices.integer(in: 0...5)))
        if choices.chance(30) { stateDict() }
        var steps = 0
        while !choices.isExhausted && steps < 400 {
            step(depth: 0)
            steps += 1
        }
        finish()
        return bytes
    }

    // MARK: - Steps

    private mutating func step(depth: Int) {
        switch choices.integer(in: 0...19) {
        case 0, 1: scalar()
        case 2: container()
        case 3: mark()
        case 4: closeMark()
        case 5: extendBelowMark()
        case 6: smallTuple()
        case 7: appendOrSet()
        case 8: put()
        case 9: get()
        case 10: if stack.count > floor { if choices.bool() { op(0x32); push(stack.last!) } else { op(0x30); stack.removeLast() } }
        case 11, 12: call(depth: depth)
        case 13: persistentID()
        case 14: cyclicCall()
        case 15: build()
        case 16: global()
        case 17: if choices.chance(20) { frame() } else { scalar() }
        case 18: if depth < 3 { stateDict() } else { scalar() }
        default: if stack.count > floor && choices.chance(20) { op(0x98) } else { scalar() }
        }
    }

    /// Stack height at the innermost open MARK: opcodes may only pop what lies above it.
    private var floor: Int { marks.last ?? 0 }
    private var aboveMark: Int { stack.count - floor }

    private mutating func push(_ slot: Slot) { stack.append(slot) }
    private mutating func op(_ byte: UInt8) { bytes.append(byte) }
    private mutating func line(_ text: String) { bytes += Array(text.utf8) + [0x0A] }
    private mutating func pop(_ count: Int) { stack.removeLast(count) }

    private mutating func littleEndian(_ value: UInt64, _ width: Int) {
        for index in 0..<width { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(index)))) }
    }

    // MARK: - Literals

    private mutating func scalar() {
        switch choices.integer(in: 0...6) {
        case 0: op(choices.pick([0x4E, 0x88, 0x89]))
        case 1, 2: integer(choices.wideInteger())
        case 3:
            if choices.bool() {
                op(0x47); littleEndian(UInt64(bitPattern: Int64(choices.wideInteger())), 8)
            } else {
                op(0x46); line(choices.pick(["1.5", "-0.0", "nan", "inf", "1e400", "x"]))
            }
        case 4, 5: string(choices.pick(PickleProgram.words))
        default:
            let data = choices.bytes(upTo: 16)
            switch choices.integer(in: 0...3) {
            case 0: op(0x43); bytes.append(UInt8(data.count))
            case 1: op(0x42); littleEndian(UInt64(data.count), 4)
            case 2: op(0x8E); littleEndian(UInt64(data.count), 8)
            default: op(0x96); littleEndian(UInt64(data.count), 8)
            }
            bytes += data
        }
        push(.value)
    }

    /// An int in one of the seven encodings pickle has for it.
    private mutating func integer(_ value: Int) {
        switch choices.integer(in: 0...5) {
        case 0 where (0...255).contains(value): op(0x4B); bytes.append(UInt8(value))
        case 1 where (0...65535).contains(value): op(0x4D); littleEndian(UInt64(value), 2)
        case 2 where Int(Int32.min)...Int(Int32.max) ~= value: op(0x4A); littleEndian(UInt64(bitPattern: Int64(value)), 4)
        case 3: op(0x49); line(String(value))
        case 4: op(0x4C); line(String(value) + "L")
        default:
            op(0x8A); bytes.append(8); littleEndian(UInt64(bitPattern: Int64(value)), 8)
        }
    }

    /// A str in one of the encodings protocols 0–4 use (the protocol-0/1 ones as Python 2 str).
    private mutating func string(_ text: String) {
        let utf8 = Array(text.utf8)
        switch choices.integer(in: 0...5) {
        case 0: op(0x58); littleEndian(UInt64(utf8.count), 4); bytes += utf8
        case 1 where utf8.count < 256: op(0x8C); bytes.append(UInt8(utf8.count)); bytes += utf8
        case 2: op(0x8D); littleEndian(UInt64(utf8.count), 8); bytes += utf8
        case 3 where !text.contains("'") && !text.contains("\\"): op(0x53); line("'\(text)'")
        case 4 where utf8.count < 256: op(0x55); bytes.append(UInt8(utf8.count)); bytes += utf8
        default: op(0x54); littleEndian(UInt64(utf8.count), 4); bytes += utf8
        }
    }

    // MARK: - Containers

    private mutating func container() {
        let (opcode, slot): (UInt8, Slot) = choices.pick([(0x5D, .list), (0x7D, .dict), (0x29, .tuple), (0x8F, .set)])
        op(opcode)
        push(slot)
    }

    private mutating func mark() {
        op(0x28)
        marks.append(stack.count)
    }

    /// TUPLE, LIST, DICT, FROZENSET, POP_MARK, OBJ or INST over the items above the innermost MARK.
    private mutating func closeMark() {
        guard !marks.isEmpty else { return mark() }
        let count = aboveMark
        let result: Slot?
        switch choices.integer(in: 0...6) {
        case 0: op(0x74); result = .tuple
        case 1: op(0x6C); result = .list
        case 2 where count % 2 == 0: op(0x64); result = .dict
        case 3: op(0x91); result = .set
        case 4: op(0x31); result = nil
        case 5 where count > 0: op(0x6F); result = .value
        default:
            let (module, name) = choices.pick(PickleProgram.globals)
            op(0x69); line(module); line(name); result = .value
        }
        pop(count)
        marks.removeLast()
        if let result { push(result) }
    }

    /// APPENDS, SETITEMS or ADDITEMS: the items above the MARK go into the container just below it.
    private mutating func extendBelowMark() {
        guard let mark = marks.last, mark > (marks.dropLast().last ?? 0) else { return mark() }
        switch stack[mark - 1] {
        case .list: op(0x65)
        case .dict where aboveMark % 2 == 0: op(0x75)
        case .set: op(0x90)
        default: return closeMark()
        }
        pop(aboveMark)
        marks.removeLast()
    }

    private mutating func smallTuple() {
        let count = min(aboveMark, choices.integer(in: 1...3))
        guard count > 0 else { op(0x29); return push(.tuple) }
        op(0x84 + UInt8(count))
        pop(count)
        push(.tuple)
    }

    /// APPEND onto a list or SETITEM into a dict that sits under its new contents.
    private mutating func appendOrSet() {
        if aboveMark >= 2, stack[stack.count - 2] == .list {
            op(0x61); pop(1)
        } else if aboveMark >= 3, stack[stack.count - 3] == .dict {
            op(0x73); pop(2)
        } else {
            container()
        }
    }

    // MARK: - Memo

    private mutating func put() {
        guard aboveMark > 0 else { return scalar() }
        let index = choices.chance(80) ? memo.count : choices.integer(in: 0...300)
        switch choices.integer(in: 0...3) {
        case 0 where index < 256: op(0x71); bytes.append(UInt8(index))
        case 1: op(0x72); littleEndian(UInt64(index), 4)
        case 2: op(0x70); line(String(index))
        default: op(0x94); memo[memo.count] = stack.last!; return
        }
        memo[index] = stack.last!
    }

    private mutating func get() {
        guard !memo.isEmpty else { return scalar() }
        let keys = memo.keys.sorted()
        let index = choices.chance(97) ? choices.pick(keys) : keys.last! + 1
        switch choices.integer(in: 0...2) {
        case 0 where index < 256: op(0x68); bytes.append(UInt8(index))
        case 1: op(0x6A); littleEndian(UInt64(index), 4)
        default: op(0x67); line(String(index))
        }
        push(memo[index] ?? .value)
    }

    /// A GET of a memoised container of `kind`, if there is one.
    private mutating func getContainer(_ kinds: [Slot]) -> Bool {
        let candidates = memo.filter { kinds.contains($0.value) }.keys.sorted()
        guard !candidates.isEmpty else { return false }
        let index = choices.pick(candidates)
        op(0x6A); littleEndian(UInt64(index), 4)
        push(memo[index]!)
        return true
    }

    // MARK: - Globals and calls

    private mutating func global(_ module: String, _ name: String) {
        if choices.bool() {
            op(0x63); line(module); line(name)
        } else {
            string(module); string(name); op(0x93)
        }
        push(.global)
    }

    private mutating func global() {
        let (module, name) = choices.pick(PickleProgram.globals)
        global(module, name)
    }

    /// A call of a global through REDUCE, NEWOBJ, NEWOBJ_EX or OBJ, with arguments torch would write,
    /// or wrong ones, or a mixture that reuses memoised (and so aliased or enclosing) containers.
    private mutating func call(depth: Int, of chosen: (String, String)? = nil) {
        let (module, name) = chosen ?? choices.pick(PickleProgram.globals)
        let style = choices.integer(in: 0...3)
        let opcode = choices.pick([0x52, 0x52, 0x52, 0x81, 0x92, 0x6F] as [UInt8])
        if opcode == 0x6F { mark() }
        global(module, name)
        if opcode != 0x6F { mark() }
        if style == 0 {
            arguments(of: name, depth: depth)
        } else {
            for _ in 0..<choices.integer(in: 0...(style == 2 ? 8 : 4)) { argument(depth: depth) }
        }
        if opcode == 0x6F {
            op(0x6F); pop(aboveMark); marks.removeLast()
        } else {
            op(0x74); pop(aboveMark); marks.removeLast(); push(.tuple)
            if opcode == 0x92 {
                if choices.bool() { op(0x7D) } else { stateDictBody() }
                push(.dict)
                pop(3)
            } else {
                pop(2)
            }
            op(opcode)
        }
        push(name == "OrderedDict" ? .dict : name == "Size" ? .tuple : name == "set" || name == "frozenset" ? .set : .value)
        if name == "dtype" && choices.bool() { dtypeState() }
    }

    /// One argument: a literal, a memoised value, a persistent storage, an int tuple or a nested call.
    private mutating func argument(depth: Int) {
        switch choices.integer(in: 0...7) {
        case 0, 1: scalar()
        case 2: get()
        case 3: persistentID()
        case 4: intTuple(choices.integer(in: 0...4))
        case 5 where depth < 4: call(depth: depth + 1)
        case 6: container()
        default: global()
        }
    }

    /// The arguments torch.save writes for `name` (mostly right, so the call gets past its checks).
    private mutating func arguments(of name: String, depth: Int) {
        switch name {
        case "OrderedDict":
            if choices.bool() { stateDictPairs(depth: depth) }
        case "_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_tensor_v3":
            tensorArguments(v2: name != "_rebuild_tensor")
        case "_rebuild_parameter", "_rebuild_parameter_with_state", "Parameter":
            if depth < 4 { call(depth: depth + 1, of: ("torch._utils", "_rebuild_tensor_v2")) } else { persistentID() }
            op(choices.pick([0x88, 0x89])); push(.value)
            if name != "Parameter" { call(depth: depth + 1, of: ("collections", "OrderedDict")) }
            if name == "_rebuild_parameter_with_state" { op(0x7D); push(.dict) }
        case "_rebuild_from_type_v2":
            global("torch._utils", choices.pick(["_rebuild_tensor_v2", "_rebuild_parameter", "_rebuild_from_type_v2"]))
            global("torch", choices.pick(["Tensor", "FloatTensor", "Size"]))
            if choices.chance(30), getContainer([.tuple, .list]) {
            } else {
                mark(); tensorArguments(v2: true); op(0x74); pop(aboveMark); marks.removeLast(); push(.tuple)
            }
            if choices.bool() { op(0x4E); push(.value) } else { op(0x7D); push(.dict) }
        case "Size":
            intTuple(choices.integer(in: 0...5))
        case "encode":
            string(choices.pick(PickleProgram.words)); string(choices.pick(["latin1", "utf-8", "utf8", "ascii"]))
        case "scalar":
            if depth < 4 { call(depth: depth + 1, of: ("numpy", "dtype")) } else { scalar() }
            let data = choices.bytes(upTo: 9)
            op(0x43); bytes.append(UInt8(data.count)); bytes += data; push(.value)
        case "dtype":
            string(choices.pick(["f8", "f4", "f2", "i8", "i4", "u8", "b1", "<f4", ">i2", "c8"])); op(0x89); op(0x88)
            push(.value); push(.value); push(.value)
        case "set", "frozenset":
            op(0x5D); push(.list)
            mark(); for _ in 0..<choices.integer(in: 0...3) { scalar() }; op(0x65); pop(aboveMark); marks.removeLast()
        case "bytearray":
            if choices.bool() { op(0x43); bytes.append(2); bytes += [0xFF, 0x00] } else { string("abc") }
            push(.value)
        default:
            for _ in 0..<choices.integer(in: 0...3) { argument(depth: depth) }
        }
    }

    /// `(storage, storage_offset, size, stride[, requires_grad, backward_hooks])`.
    private mutating func tensorArguments(v2: Bool) {
        let rank = choices.integer(in: 0...3)
        let shape = (0..<rank).map { _ in choices.integer(in: 0...4) }
        var strides = [Int](repeating: 1, count: rank)
        for axis in stride(from: rank - 2, through: 0, by: -1) { strides[axis] = strides[axis + 1] * max(shape[axis + 1], 1) }
        let count = zip(shape, strides).reduce(1) { $0 + ($1.0 - 1) * $1.1 }
        persistentID(count: shape.contains(0) ? 0 : count)
        integer(choices.chance(90) ? 0 : choices.wideInteger()); push(.value)
        intTuple(shape, damaged: choices.chance(10))
        intTuple(strides, damaged: choices.chance(10))
        if v2 {
            op(0x89); push(.value)
            call(depth: 4, of: ("collections", "OrderedDict"))
        }
    }

    private mutating func intTuple(_ count: Int) {
        intTuple((0..<count).map { _ in choices.integer(in: 0...6) }, damaged: choices.chance(20))
    }

    private mutating func intTuple(_ values: [Int], damaged: Bool) {
        mark()
        for value in values {
            if damaged && choices.chance(30) { scalar() } else { integer(damaged ? choices.wideInteger() : value); push(.value) }
        }
        op(0x74); pop(aboveMark); marks.removeLast(); push(.tuple)
    }

    /// BUILD with the state numpy pickles for a dtype: `(3, '<', None, None, None, -1, -1, 0)`.
    private mutating func dtypeState() {
        mark()
        integer(3); push(.value)
        string(choices.pick(["<", ">", "|", "="])); push(.value)
        op(0x4E); push(.value)
        op(0x74); pop(aboveMark); marks.removeLast(); push(.tuple)
        op(0x62); pop(1)
    }

    private mutating func build() {
        guard aboveMark >= 2 else { return scalar() }
        op(0x62); pop(1)
    }

    /// A list or dict that holds, through its memo entry, a call whose arguments hold that same container:
    /// `l = []; l.append(f(..., l, ...))`, where `l` may already hold itself (`l = [f, T, l, None]` for
    /// `_rebuild_from_type_v2`): the shape of self-reference a byte mutator seldom builds.
    private mutating func cyclicCall() {
        let kind: Slot = choices.bool() ? .list : .dict
        op(kind == .list ? 0x5D : 0x7D); push(kind)
        let index = memo.count
        op(0x72); littleEndian(UInt64(index), 4); memo[index] = kind
        let (module, name) = choices.pick(PickleProgram.globals)
        if kind == .list && choices.bool() {
            // Fill the list first, holding itself, so the call below receives an argument list that contains itself.
            mark()
            if name == "_rebuild_from_type_v2" && choices.bool() {
                global("torch._tensor", "_rebuild_from_type_v2"); global("torch", "Tensor")
                op(0x6A); littleEndian(UInt64(index), 4); push(kind)
                op(0x4E); push(.value)
            } else {
                for _ in 0..<choices.integer(in: 1...4) {
                    if choices.bool() { op(0x6A); littleEndian(UInt64(index), 4); push(kind) } else { argument(depth: 3) }
                }
            }
            op(0x65); pop(aboveMark); marks.removeLast()
        }
        if kind == .dict { string(choices.pick(PickleProgram.words)); push(.value) }
        global(module, name)
        mark()
        if name == "_rebuild_from_type_v2" && choices.bool() {
            global("torch._tensor", "_rebuild_from_type_v2"); global("torch", "Tensor")
            op(0x6A); littleEndian(UInt64(index), 4); push(kind)
            op(0x4E); push(.value)
        } else {
            for position in 0..<choices.integer(in: 1...5) {
                if position == 0 || choices.bool() { op(0x6A); littleEndian(UInt64(index), 4); push(kind) } else { argument(depth: 3) }
            }
        }
        op(0x74); pop(aboveMark); marks.removeLast()
        op(0x52); pop(1); push(.value)
        if kind == .list { op(0x61); pop(1) } else { op(0x73); pop(2) }
    }

    // MARK: - Persistent ids

    /// BINPERSID (or PERSID) with the id this format's archive uses for a storage, a damaged one, a
    /// saved module's `('module', …)` tuple, or junk.
    private mutating func persistentID(count: Int? = nil) {
        let kind = choices.integer(in: 0...9)
        if format == .tar {
            let key = kind < 8 ? tarTensorKey(count: count ?? choices.integer(in: 0...8)) : choices.pick(["9", "x", "-1"])
            if choices.bool() { op(0x50); line(key) } else { string(key); op(0x51) }
            return push(.value)
        }
        mark()
        switch kind {
        case 0...6:
            string("storage"); push(.value)
            let storage = storage(count: count ?? choices.integer(in: 0...8), damaged: kind == 6)
            global(choices.pick(["torch", "torch", "torch.cuda"]), storage.typeName)
            string(storage.key); push(.value)
            string("cpu"); push(.value)
            integer(kind == 6 && choices.bool() ? choices.wideInteger() : storage.count); push(.value)
            if format == .legacy {
                if choices.chance(80) {
                    op(0x4E); push(.value)
                } else {
                    mark(); string(storage.key + "v"); push(.value); integer(choices.integer(in: -1...4)); push(.value)
                    integer(choices.integer(in: 0...4)); push(.value); op(0x74); pop(aboveMark); marks.removeLast(); push(.tuple)
                }
            }
            if kind == 6 && choices.bool() { scalar() }
        case 7:
            string("module"); push(.value); global("torch.nn.modules.linear", "Linear")
            string("/usr/lib/python3/torch/nn/modules/linear.py"); push(.value); string("class Linear: pass"); push(.value)
        case 8:
            for _ in 0..<choices.integer(in: 0...6) { argument(depth: 4) }
        default:
            pop(aboveMark); marks.removeLast(); bytes.removeLast()
            scalar()
            if choices.bool() { op(0x51) } else { op(0x30); op(0x50); line(choices.pick(PickleProgram.words)) }
            return
        }
        op(0x74); pop(aboveMark); marks.removeLast()
        op(0x51)
        push(.value)
    }

    private mutating func storage(count: Int, damaged: Bool) -> Storage {
        if !storages.isEmpty && choices.chance(25) {
            let reused = choices.pick(storages)
            return damaged ? Storage(key: reused.key, typeName: choices.pick(PickleProgram.storageTypes).name, elementSize: 1, count: count) : reused
        }
        let type = choices.pick(PickleProgram.storageTypes)
        let storage = Storage(key: "\(storages.count)", typeName: type.name, elementSize: type.size, count: count)
        storages.append(storage)
        return storage
    }

    private mutating func tarTensorKey(count: Int) -> String {
        if !tarTensors.isEmpty && choices.chance(20) { return choices.pick(tarTensors).key }
        let storage = storage(count: count, damaged: false)
        let tensor = TarTensor(
            key: "\(100 + tarTensors.count)", storageKey: storage.key,
            shape: choices.chance(90) ? [count] : [choices.wideInteger()], strides: [choices.chance(90) ? 1 : choices.wideInteger()],
            offset: choices.chance(90) ? 0 : choices.wideInteger())
        tarTensors.append(tensor)
        return tensor.key
    }

    // MARK: - State dicts

    /// `OrderedDict()` filled by SETITEMS with names and tensors, as `model.state_dict()` pickles.
    private mutating func stateDict() {
        global("collections", "OrderedDict"); op(0x29); push(.tuple); op(0x52); pop(2); push(.dict)
        if choices.chance(30) { put() }
        mark()
        for index in 0..<choices.integer(in: 0...4) {
            string(choices.chance(70) ? "layer.\(index).weight" : choices.pick(PickleProgram.words)); push(.value)
            call(depth: 3, of: ("torch._utils", choices.pick(["_rebuild_tensor_v2", "_rebuild_tensor_v2", "_rebuild_parameter", "_rebuild_tensor"])))
        }
        op(0x75); pop(aboveMark); marks.removeLast()
    }

    private mutating func stateDictBody() {
        op(0x7D)
        if choices.bool() { string("key"); integer(1); op(0x73) }
    }

    private mutating func stateDictPairs(depth: Int) {
        op(0x5D); push(.list)
        mark()
        for index in 0..<choices.integer(in: 0...3) {
            mark(); string("k\(index)"); push(.value)
            if depth < 4 && choices.bool() { call(depth: depth + 1, of: ("torch._utils", "_rebuild_tensor_v2")) } else { scalar() }
            if choices.chance(10) { scalar() }
            op(0x74); pop(aboveMark); marks.removeLast(); push(.tuple)
        }
        op(0x65); pop(aboveMark); marks.removeLast()
    }

    // MARK: - Framing

    private mutating func frame() {
        op(0x95)
        littleEndian(choices.chance(80) ? UInt64(choices.integer(in: 0...64)) : UInt64(bitPattern: Int64(choices.wideInteger())), 8)
    }

    /// Closes every MARK and folds the stack into the root: all of it as nested pairs, or its first item.
    private mutating func finish() {
        while !marks.isEmpty {
            op(0x6C); pop(aboveMark); marks.removeLast(); push(.list)
        }
        if stack.isEmpty { op(0x4E); push(.value) }
        if choices.bool() {
            while stack.count > 1 { op(0x86); pop(2); push(.tuple) }
        } else {
            while stack.count > 1 { op(0x30); pop(1) }
        }
        op(0x2E)
        if choices.chance(5) { bytes += choices.bytes(upTo: 8) }
    }
}
