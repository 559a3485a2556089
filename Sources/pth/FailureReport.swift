import ArgumentParser
import Foundation
import PthFoundation

/// How every `pth` command ends on an error, in one place: one line on standard error —
/// `error: what, where`, or `{"error": "…"}` when the command was asked for JSON (`--json`,
/// `--format jsonl`) so a script reading it gets JSON either way — and the status `ExitStatus` gives it.
///
/// Argument errors get the same single line (no help or usage dump); an unknown flag or command
/// names the closest known one.
enum FailureReport {
    /// Reports `error`, raised while parsing or running `pth arguments…`, and exits.
    static func exit(_ error: Error, arguments: [String]) -> Never {
        if let code = error as? ExitCode {
            // The command has already said why (or there is nothing to say, as for some failed inputs).
            Foundation.exit(code.rawValue)
        }
        if PthCommand.exitCode(for: error) == .success {
            // --help, --version, --generate-completion-script.
            PthCommand.exit(withError: error)
        }
        let status: ExitStatus
        let message: String
        if let failure = error as? CommandFailure {
            (status, message) = (failure.status, failure.description)
        } else if PthCommand.exitCode(for: error) == .validationFailure {
            (status, message) = (.usage, unknownName(in: arguments) ?? lowercasedFirst(oneLine(PthCommand.message(for: error))))
        } else {
            (status, message) = (.fatal, describe(error))
        }
        let line = wantsJSON(arguments) ? "{\"error\": \(JSONString.quoted(message))}\n" : "error: \(message)\n"
        FileHandle.standardError.write(Data(line.utf8))
        Foundation.exit(status.rawValue)
    }

    /// Whether the command's output is JSON, judged from the raw arguments (they may not have parsed).
    static func wantsJSON(_ arguments: [String]) -> Bool {
        arguments.contains("--json") || arguments.contains("--format=jsonl")
            || zip(arguments, arguments.dropFirst()).contains { $0 == "--format" && $1 == "jsonl" }
    }

    /// An error in one line: a library error as `where: what` (`PthError`), Foundation's file errors
    /// as `path: reason` instead of their domain and code.
    static func describe(_ error: Error) -> String {
        if let error = error as? PthError { return oneLine(error.description) }
        if let cocoa = error as? CocoaError {
            let reason =
                (cocoa.underlying as? POSIXError).map { String(cString: strerror($0.code.rawValue)) }
                ?? (cocoa.userInfo[NSUnderlyingErrorKey] as? NSError).map { String(cString: strerror(Int32($0.code))) }
                ?? "\(cocoa.code)"
            return cocoa.filePath.map { "\($0): \(reason)" } ?? reason
        }
        return oneLine("\(error)")
    }

    /// The first command word or `--flag` that `pth` does not know, with the closest known one.
    /// Checked before the parser's own message, which for `--weigths W` would be that `--weights` is missing.
    private static func unknownName(in arguments: [String]) -> String? {
        let commands = PthCommand.configuration.subcommands
        let names = commands.map { $0.configuration.commandName ?? "" }
        guard let first = arguments.first else { return nil }
        let command = commands.first { $0.configuration.commandName == first }
        if command == nil && !first.hasPrefix("-") {
            return "unknown command '\(first)'\(NameSuggestion.hint(for: first, among: names)); commands: \(names.joined(separator: ", "))"
        }
        let help =
            command.map { PthCommand.helpMessage(for: $0, includeHidden: true, columns: 1000) }
            ?? PthCommand.helpMessage(includeHidden: true, columns: 1000)
        var known = Set(["--help", "--version", "--generate-completion-script"])
        var scanner = help[...]
        while let start = scanner.range(of: "--") {
            let rest = scanner[start.upperBound...]
            let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "-" }
            if !name.isEmpty { known.insert("--" + name) }
            scanner = rest
        }
        for argument in arguments.prefix(while: { $0 != "--" }) where argument.hasPrefix("--") {
            let flag = String(argument.prefix { $0 != "=" })
            if !known.contains(flag) {
                return "unknown option '\(flag)'\(NameSuggestion.hint(for: flag, among: known.sorted()))"
            }
        }
        return nil
    }

    /// The parser's sentences (`Missing expected argument …`) in the lower case of every other message.
    private static func lowercasedFirst(_ text: String) -> String {
        text.prefix(1).lowercased() + text.dropFirst()
    }

    private static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .joined(separator: "; ")
    }
}
