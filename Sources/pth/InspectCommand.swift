import ArgumentParser

/// `pth inspect` (being written).
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Not yet available.")

    func run() throws {
        throw ValidationError("pth inspect is not available yet")
    }
}
