import ArgumentParser

/// `pth preprocess` (being written).
struct PreprocessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "preprocess", abstract: "Not yet available.")

    func run() throws {
        throw ValidationError("pth preprocess is not available yet")
    }
}
