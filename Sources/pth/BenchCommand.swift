import ArgumentParser

/// `pth bench` (being written).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Not yet available.")

    func run() throws {
        throw ValidationError("pth bench is not available yet")
    }
}
