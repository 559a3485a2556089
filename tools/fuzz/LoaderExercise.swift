// Compiled into one module with the PthCheckpoint sources by tools/fuzz_loader.sh, so nothing to import.

/// What every loader fuzz target does with a candidate file, as `pth inspect` and `classify` would:
/// scan its globals, load it, search its state dict and read every tensor as bytes and as Float32.
/// A thrown error must be a one-line `CheckpointError`; anything else (a trap, a sanitizer report, a
/// leak, a timeout, an error of another kind or over several lines) is a finding.
func exerciseLoader(_ bytes: UnsafeRawBufferPointer) {
    expectCleanFailure { _ = try Checkpoint.scan(bytes: bytes) }
    expectCleanFailure {
        let checkpoint = try Checkpoint(bytes: bytes)
        _ = checkpoint.opaqueObjects
        for entry in try checkpoint.stateDict().entries {
            precondition(entry.tensor.contiguousBytes().count == entry.tensor.count * entry.tensor.dtype.byteSize)
            precondition(entry.tensor.floats().count == entry.tensor.count)
        }
    }
}

private func expectCleanFailure(_ body: () throws -> Void) {
    do {
        try body()
    } catch let error as CheckpointError {
        precondition(!error.description.contains("\n"), "error over several lines: \(error)")
    } catch {
        preconditionFailure("not a CheckpointError: \(error)")
    }
}
