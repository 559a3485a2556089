import ArgumentParser

/// `pth classify` (being written).
struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "classify", abstract: "Not yet available.")

    func run() throws {
        throw ValidationError("pth classify is not available yet")
    }
}
