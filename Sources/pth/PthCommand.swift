import ArgumentParser

/// `pth`: inspect PyTorch checkpoints and run torchvision classifiers from them.
@main
struct PthCommand: ParsableCommand {
    /// The release, printed by `pth --version`.
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "pth",
        abstract: "Read PyTorch .pth checkpoints and run torchvision classifiers from them, without Python.",
        discussion: """
            Exit status, every command: 0 done; 1 some inputs failed (each has its error line); 2 nothing \
            could be done or the run stopped; 3 inspect --scan found foreign globals; 64 a wrong command line.
            """,
        version: version,
        subcommands: [
            InspectCommand.self,
            ForwardCommand.self,
            BenchCommand.self,
            PreprocessCommand.self,
            ClassifyCommand.self,
            EmbedCommand.self,
        ]
    )

    /// Parses and runs a command; every error leaves through `FailureReport`, so all commands print
    /// and exit alike.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            FailureReport.exit(error, arguments: arguments)
        }
    }
}
