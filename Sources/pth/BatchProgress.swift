import Foundation

/// Progress of a batch job on standard error: done/total, images per second, time left.
///
/// On a terminal it is a bar that owns its line: redrawn in place, cut to the terminal's width so it
/// never wraps (a wrapped line cannot be redrawn with `\r`), and cleared before rows are printed to
/// the same terminal. Anywhere else (a log file, `kubectl logs`, Slurm's output) it is a plain line
/// every `interval` seconds, so a long job shows life without filling the log.
final class BatchProgress {
    private enum Style {
        case bar
        case log(interval: Double)
    }

    private let total: Int
    private let style: Style
    private let start = DispatchTime.now().uptimeNanoseconds
    private var lastLogged = 0.0
    private var drawn = false
    /// Whether rows go to the terminal the bar is on, and so must not share its line.
    private let rowsShareTerminal = isatty(STDOUT_FILENO) == 1

    /// Progress over `total` images: a bar when standard error is a terminal, else a line every `interval` seconds.
    init(total: Int, interval: Double = 10) {
        self.total = total
        style = isatty(STDERR_FILENO) == 1 ? .bar : .log(interval: interval)
    }

    /// Shows `done` images finished.
    func update(done: Int) {
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let rate = seconds > 0 ? Double(done) / seconds : 0
        let eta = rate > 0 ? Self.clock(Double(total - done) / rate) : "--:--"
        let figures = "\(done)/\(total)  \(String(format: "%.1f", rate)) img/s  ETA \(eta)"
        switch style {
        case .bar:
            let columns = Self.terminalColumns()
            // Room for "[bar] " and one spare column, so the cursor never wraps to the next line.
            let barWidth = min(30, columns - figures.count - 4)
            var line = figures
            if barWidth >= 5 {
                let filled = total > 0 ? barWidth * done / total : barWidth
                line = "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: barWidth - filled) + "] " + figures
            }
            // \r returns to the line start; ESC[K clears what a longer previous line left.
            write("\r" + String(line.prefix(max(1, columns - 1))) + "\u{1B}[K")
            drawn = true
        case .log(let interval):
            guard seconds - lastLogged >= interval else { return }
            lastLogged = seconds
            write("progress: \(done)/\(total) images, \(String(format: "%.1f", rate)) img/s, ETA \(eta)\n")
        }
    }

    /// Empties the bar's line before rows are printed where it is (they would otherwise run on after it).
    func clear() {
        guard drawn, rowsShareTerminal else { return }
        write("\r\u{1B}[K")
        drawn = false
    }

    /// Ends the bar's line, so what follows starts on its own.
    func finish() {
        if drawn { write("\n") }
        drawn = false
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// The width of the terminal on standard error (80 when it does not say).
    private static func terminalColumns() -> Int {
        var size = winsize()
        guard ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    private static func clock(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        return whole >= 3600
            ? String(format: "%d:%02d:%02d", whole / 3600, whole / 60 % 60, whole % 60)
            : String(format: "%d:%02d", whole / 60, whole % 60)
    }
}
