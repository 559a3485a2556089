import Foundation

/// A one-line progress bar on standard error — done/total, images per second, time left — redrawn
/// in place. Only made when standard error is a terminal, so logs and pipes stay clean.
final class BatchProgress {
    private let total: Int
    private let start = DispatchTime.now().uptimeNanoseconds

    /// A bar over `total` images, or nil when standard error is not a terminal.
    static func forTerminal(total: Int) -> BatchProgress? {
        isatty(STDERR_FILENO) == 1 ? BatchProgress(total: total) : nil
    }

    private init(total: Int) {
        self.total = total
    }

    /// Redraws the bar with `done` images finished.
    func update(done: Int) {
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let rate = seconds > 0 ? Double(done) / seconds : 0
        let width = 30
        let filled = total > 0 ? width * done / total : width
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let eta = rate > 0 ? Self.clock(Double(total - done) / rate) : "--:--"
        // \r returns to the line start; ESC[K clears what a longer previous line left.
        let line = "\r[\(bar)] \(done)/\(total)  \(String(format: "%.1f", rate)) img/s  ETA \(eta)\u{1B}[K"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Ends the bar's line, so what follows starts on its own.
    func finish() {
        FileHandle.standardError.write(Data("\n".utf8))
    }

    private static func clock(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        return whole >= 3600 ? String(format: "%d:%02d:%02d", whole / 3600, whole / 60 % 60, whole % 60)
            : String(format: "%d:%02d", whole / 60, whole % 60)
    }
}
