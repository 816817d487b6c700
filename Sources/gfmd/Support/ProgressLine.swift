import ArgumentParser
import Foundation
import GFMDCore

/// `--quiet`, for the commands that show progress on long work (apply,
/// verify, export, sync).
struct ProgressOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Show no progress line.")
    var quiet = false

    /// The progress line of this command: drawn on standard error only when
    /// standard output and standard error are both a terminal (not piped,
    /// not redirected) and `--quiet` is not given.
    func line() -> ProgressLine {
        ProgressLine(enabled: !quiet && isatty(STDOUT_FILENO) == 1 && isatty(STDERR_FILENO) == 1)
    }
}

/// One terminal line redrawn as long work goes ("applying changes: 1,200 of
/// 3,050 (39%)"), at most ten times a second, and erased when the work ends,
/// so that only the command's results stay on the screen.
final class ProgressLine: @unchecked Sendable {
    private let enabled: Bool
    private let lock = NSLock()
    private var lastDrawn: UInt64 = 0
    private var showing = false

    init(enabled: Bool) {
        self.enabled = enabled
    }

    /// What to hand to long work: nil when no line is drawn, so that the work
    /// does not even count for it.
    var handler: ProgressHandler? {
        enabled ? { [self] in report($0) } : nil
    }

    /// Redraws the line, unless it was drawn less than 0.1 s ago and the work is not done.
    func report(_ progress: WorkProgress) {
        guard enabled else { return }
        lock.withLock {
            let now = DispatchTime.now().uptimeNanoseconds
            guard progress.done >= progress.total || !showing || now - lastDrawn >= 100_000_000 else { return }
            lastDrawn = now
            showing = true
            let percent = progress.total > 0 ? " (\(progress.done * 100 / progress.total)%)" : ""
            write("\r\u{1B}[K\(progress.task): \(Self.grouped(progress.done)) of \(Self.grouped(progress.total))\(percent)")
        }
    }

    /// Prints `message` as a line of its own (a sync round, a retry), above the progress line.
    func say(_ message: String) {
        guard enabled else { return }
        lock.withLock {
            write("\r\u{1B}[K\(message)\n")
            showing = false
        }
    }

    /// Erases the line, before the command prints its results.
    func clear() {
        guard enabled else { return }
        lock.withLock {
            if showing { write("\r\u{1B}[K") }
            showing = false
        }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// `n` with commas between thousands: 3,050.
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return (n < 0 ? "-" : "") + out
    }
}
