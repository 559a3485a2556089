import ArgumentParser

/// `pth forward` (being written).
struct ForwardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "forward", abstract: "Not yet available.")

    func run() throws {
        throw ValidationError("pth forward is not available yet")
    }
}
