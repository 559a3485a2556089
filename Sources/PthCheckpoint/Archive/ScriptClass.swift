/// What a TorchScript archive's `code/` declares about one module class: which of its attributes
/// are parameters and which are buffers (`__parameters__ = ["weight", "bias", ]`).
///
/// The code is TorchScript source that `torch.jit.load` compiles; it is only read here as text,
/// line by line, for those two lists, and nothing in it is ever compiled or run.
public struct ScriptClass: Sendable, Equatable {
    /// Attribute names declared as parameters, in declaration order.
    public let parameters: [String]
    /// Attribute names declared as buffers, in declaration order.
    public let buffers: [String]

    /// The module classes in one file `code/<path>.py`, by qualified name: `code/__torch__/torch/nn/modules/conv.py`
    /// declaring `class Conv2d(Module):` gives `__torch__.torch.nn.modules.conv.Conv2d`, as data.pkl names it.
    static func classes(inFile path: String, text: String) -> [String: ScriptClass] {
        let module = path.split(separator: "/").joined(separator: ".")
        var found: [String: ScriptClass] = [:]
        var current: String?
        var parameters: [String] = [], buffers: [String] = []
        func finish() {
            if let current { found["\(module).\(current)"] = ScriptClass(parameters: parameters, buffers: buffers) }
            current = nil
            parameters = []
            buffers = []
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("class ") {
                finish()
                let declaration = line.dropFirst("class ".count)
                if let open = declaration.firstIndex(of: "("), declaration[open...].hasPrefix("(Module)") {
                    current = String(declaration[..<open])
                }
            } else if current != nil {
                let trimmed = line.drop { $0 == " " }
                if trimmed.hasPrefix("__parameters__ = [") {
                    parameters = quotedNames(trimmed)
                } else if trimmed.hasPrefix("__buffers__ = [") {
                    buffers = quotedNames(trimmed)
                }
            }
        }
        finish()
        return found
    }

    /// The double-quoted strings of a one-line list literal (attribute names never hold quotes or backslashes).
    private static func quotedNames(_ line: Substring) -> [String] {
        line.split(separator: "\"", omittingEmptySubsequences: false).enumerated()
            .filter { $0.offset % 2 == 1 }.map { String($0.element) }
    }
}
