/// What an archive reader found: the object tree, the globals its pickles used, and what else the
/// format declares beside the pickle.
struct ArchiveContents {
    var root: PickleValue
    /// In order of first use, one entry per pickle that used the global (merged by `Checkpoint`).
    var globals: [GlobalUse]
    /// nn.Module classes the legacy and tar formats saved with their source code.
    var sources: [ModuleSource] = []
    /// For a TorchScript archive, the parameter and buffer names each class of its `code/` declares.
    var scriptClasses: [String: ScriptClass]?
}
