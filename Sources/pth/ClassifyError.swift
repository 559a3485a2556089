/// A `pth classify` failure that stops the whole run (as opposed to one unreadable image): says what
/// and where in one line.
struct ClassifyError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}
