import Foundation
import PthVision

/// What a run chose, said once at its start: the architecture (named or detected), the weights,
/// the preprocessing with its numbers and where they came from, the class names' source and the
/// threads. Printed as one line on standard error, and as JSON for scripts (`--meta`) and reports.
struct RunDescription {
    var architecture: String
    /// Whether the architecture was detected from the checkpoint's keys and shapes (else `--model`).
    var detected: Bool
    /// Inception v3's and GoogLeNet's `transform_input` as the network was built; nil for other architectures.
    var transformInput: Bool? = nil
    var weights: String
    /// Which tensors of the checkpoint were used, when it held more than a plain state dict.
    var stateDict: String?
    var classes: Int
    var inputChannels: Int
    /// The preprocessing, when the run turns images into tensors.
    var preset: PreprocessingPreset?
    /// Where the preset came from (`--model`, the weights' file name, the architecture).
    var presetSource: String?
    /// Preprocessing flags given on top of the preset.
    var overrides: [String] = []
    var labels: ClassLabels?
    var threads: Int

    /// The stderr line.
    var line: String {
        var parts = [
            "\(architecture) (\(detected ? "detected" : "--model"))"
                + (transformInput.map { ", transform_input \($0 ? "on" : "off")" } ?? "")
                + ", \(classes) classes, \(inputChannels)-channel input",
            "weights \(weights)" + (stateDict.map { " [\($0)]" } ?? ""),
        ]
        if let preset {
            var text = "preprocessing \(Self.name(of: preset))"
            if let presetSource { text += " (\(presetSource))" }
            if !overrides.isEmpty { text += " with \(overrides.joined(separator: " "))" }
            parts.append(text + ": " + Self.summary(of: preset))
        }
        if let labels { parts.append("labels: \(labels.source)") }
        parts.append("threads \(threads)")
        return "pth: " + parts.joined(separator: " · ")
    }

    /// The same facts as one JSON object.
    var json: String {
        var members = [
            ("architecture", JSONString.quoted(architecture)),
            ("architecture_detected", detected ? "true" : "false"),
            ("transform_input", transformInput.map { $0 ? "true" : "false" } ?? "null"),
            ("weights", JSONString.quoted(weights)),
            ("state_dict", stateDict.map(JSONString.quoted) ?? "null"),
            ("classes", "\(classes)"),
            ("input_channels", "\(inputChannels)"),
        ]
        if let preset {
            let resize: String
            switch preset.resize {
            case .shortSide(let side): resize = "\(side)"
            case .exact(let height, let width): resize = "[\(height), \(width)]"
            }
            let numbers = { (values: [Float]) in "[" + values.map { "\($0)" }.joined(separator: ", ") + "]" }
            let fields = [
                ("name", JSONString.quoted(Self.name(of: preset))),
                ("source", presetSource.map(JSONString.quoted) ?? "null"),
                ("overrides", "[" + overrides.map(JSONString.quoted).joined(separator: ", ") + "]"),
                ("color", JSONString.quoted(preset.color.rawValue)),
                ("resize", resize),
                ("crop", preset.cropSize.map(String.init) ?? "null"),
                ("interpolation", JSONString.quoted(preset.interpolation.rawValue)),
                ("mean", numbers(preset.mean)), ("std", numbers(preset.std)),
            ]
            members.append(("preprocessing", "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"))
        }
        if let labels {
            members.append(("labels", "{\"source\": \(JSONString.quoted(labels.source)), \"count\": \(labels.names.count)}"))
        }
        members.append(("threads", "\(threads)"))
        return "{" + members.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
    }

    /// Prints `line` on standard error.
    func announce() {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    private static func name(of preset: PreprocessingPreset) -> String { "\(preset.model).\(preset.weights)" }

    /// `rgb, bilinear resize 256, crop 224, mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225]`.
    static func summary(of preset: PreprocessingPreset) -> String {
        let numbers = { (values: [Float]) in values.map { "\($0)" }.joined(separator: ",") }
        let crop = preset.cropSize.map { "crop \($0)" } ?? "no crop"
        return "\(preset.color.rawValue), \(preset.interpolation.rawValue) resize \(preset.resize), \(crop), "
            + "mean \(numbers(preset.mean)), std \(numbers(preset.std))"
    }
}
