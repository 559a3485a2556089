/// An error that ends a `pth` command with a given status and a one-line message saying what and where
/// (as opposed to one unreadable image, which a classify run reports and goes past). Commands throw
/// it, or any other error, which counts as `.fatal`; `PthCommand.main` prints it through `FailureReport`.
struct CommandFailure: Error, CustomStringConvertible {
    let status: ExitStatus
    let description: String

    init(_ status: ExitStatus, _ description: String) {
        self.status = status
        self.description = description
    }
}
