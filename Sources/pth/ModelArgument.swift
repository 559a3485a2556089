import ArgumentParser
import PthModels
import PthVision

/// `--model` checked against what exists before any file is read, so a typo is a usage error naming
/// the closest name, and the names listed are only those the command can use.
enum ModelArgument {
    /// For commands that run a network: an architecture swift-pth builds; with `presets`, also
    /// `MODEL.WEIGHTS` or a torchvision checkpoint file name of one.
    static func checkRunnable(_ value: String, presets: Bool) throws {
        let runnable = Architecture.all.map(\.name)
        if runnable.contains(value) { return }
        if presets, let preset = PreprocessingPreset.named(value) {
            if runnable.contains(preset.model) { return }
            throw ValidationError("--model \(value): \(preset.model) is not an architecture swift-pth runs; it runs \(runnable.joined(separator: ", "))")
        }
        throw ValidationError(
            "--model \(value): unknown architecture\(NameSuggestion.hint(for: value, among: runnable)); "
                + "known: \(runnable.joined(separator: ", "))")
    }

    /// For `preprocess`, which needs no network: any torchvision preset.
    static func preset(_ value: String) throws -> PreprocessingPreset {
        if let preset = PreprocessingPreset.named(value) { return preset }
        let names = PreprocessingPreset.modelNames
        throw ValidationError(
            "--model \(value): no torchvision preprocessing preset by that name\(NameSuggestion.hint(for: value, among: names)); "
                + "known: \(names.joined(separator: ", "))")
    }
}
