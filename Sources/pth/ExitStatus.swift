import ArgumentParser

/// The exit statuses of every `pth` command, one meaning each (the README's table lists them).
enum ExitStatus: Int32, CaseIterable {
    /// Everything asked for was done.
    case success = 0
    /// The run went through but some inputs could not be used (unreadable images); each has its own error line.
    case someInputsFailed = 1
    /// Nothing could be done, or the run stopped: a missing or unusable file, no inputs, an unwritable output.
    case fatal = 2
    /// `inspect --scan`: the checkpoint references globals that plain `pickle.load` would import and call.
    case foreignGlobals = 3
    /// The command line itself is wrong: an unknown flag, a missing or malformed value (sysexits' EX_USAGE).
    case usage = 64

    /// The status as an error a command throws to end with it, once it has said why.
    var exit: ExitCode { ExitCode(rawValue) }
}
