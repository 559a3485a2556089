import ArgumentParser

/// `pth`: inspect PyTorch checkpoints and run torchvision classifiers from them.
@main
struct PthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pth",
        abstract: "Read PyTorch .pth checkpoints and run torchvision classifiers from them, without Python.",
        subcommands: [
            InspectCommand.self,
            ForwardCommand.self,
            BenchCommand.self,
            PreprocessCommand.self,
            ClassifyCommand.self,
            EmbedCommand.self,
        ]
    )
}
