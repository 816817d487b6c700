import Foundation
import GFMDCore

/// Writing results to standard output.
enum Output {
    /// Prints `value` as pretty JSON with sorted, snake_case keys.
    static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        var data = try encoder.encode(value)
        data.append(0x0A)
        FileHandle.standardOutput.write(data)
    }

    /// Prints a line.
    static func line(_ text: String = "") {
        print(text)
    }

    /// Prints a line on standard error (when standard output carries data).
    static func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// `text` indented by `spaces` on every line.
    static func indent(_ text: String, by spaces: Int) -> String {
        let pad = String(repeating: " ", count: spaces)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { pad + $0 }.joined(separator: "\n")
    }

    /// `text` padded with spaces to `width` characters.
    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    /// `text` cut to `width` characters, ending with "…" when cut.
    static func fit(_ text: String, _ width: Int) -> String {
        text.count <= width ? text : String(text.prefix(max(0, width - 1))) + "…"
    }

    /// The width to cut lines to: `$COLUMNS`, else the terminal's own, else
    /// none when output is piped or redirected (like `git` and `ls`, so that
    /// `gfmd list | grep "full title"` finds it).
    static var width: Int? {
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 { return columns }
        var size = winsize()
        if isatty(STDOUT_FILENO) == 1, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return isatty(STDOUT_FILENO) == 1 ? 80 : nil
    }

    /// `count` followed by `noun`, in the plural unless count is 1: "1 change", "3 changes".
    static func count(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }

    /// A timestamp as a person reads it: `2026-11-26 15:56 UTC`.
    static func time(_ timestamp: HybridTimestamp) -> String {
        timestamp.readable
    }
}
