// Compiled into one module with the PthCheckpoint sources by tools/fuzz_loader.sh.
#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// libFuzzer entry point that reads its input as choices (`FuzzChoices`) and builds from them a
/// well-formed pickle program (`PickleProgram`) in a zip, legacy or tar checkpoint
/// (`CheckpointArchive`), then loads that as `exerciseLoader` does.
///
/// With `PTH_FUZZ_EMIT=DIR` set, each generated checkpoint is also written to DIR (named by a hash
/// of its bytes): how a minimised corpus of choices becomes the checkpoints `swift test` replays.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPickle(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let file = generatedCheckpoint(UnsafeRawBufferPointer(start: data, count: size))
    if let directory = emitDirectory { emit(file, into: directory) }
    file.withUnsafeBytes { exerciseLoader($0) }
    return 0
}

/// The checkpoint a choice stream describes: the format first, then the program, then the archive around it.
func generatedCheckpoint(_ input: UnsafeRawBufferPointer) -> [UInt8] {
    var choices = FuzzChoices(input)
    let format = choices.pick(PickleProgram.Format.allCases)
    var program = PickleProgram(format: format, choices: choices)
    let pickle = program.generate()
    var rest = program.remainingChoices
    return CheckpointArchive.make(format, program, pickle, &rest)
}

private let emitDirectory: String? = getenv("PTH_FUZZ_EMIT").map { String(cString: $0) }

private func emit(_ file: [UInt8], into directory: String) {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a
    for byte in file { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
    let digits = String(hash, radix: 16)
    let path = "\(directory)/\(String(repeating: "0", count: 16 - digits.count) + digits).pth"
    guard let handle = fopen(path, "wb") else { return }
    _ = file.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, handle) }
    fclose(handle)
}
