import Foundation
import Testing

/// Headless Chromium (Debian's `chromium`, installed by
/// scripts/setup-system.sh), with a profile of its own in a test's temporary
/// directory, so that a session cookie set on one page is sent with the next.
struct Chromium {
    let profile: URL

    static let binary = URL(fileURLWithPath: "/usr/bin/chromium")

    /// The page at `url` as the browser built it, after redirections (`--dump-dom`).
    func dom(_ url: URL) throws -> String {
        try run(["--dump-dom", url.absoluteString])
    }

    /// A screenshot of the page at `url`, as a PNG at `file`.
    func screenshot(_ url: URL, to file: URL) throws {
        _ = try run(["--screenshot=\(file.path)", "--window-size=1280,900", "--hide-scrollbars", url.absoluteString])
    }

    private func run(_ arguments: [String]) throws -> String {
        guard FileManager.default.isExecutableFile(atPath: Self.binary.path) else {
            throw CocoaError(.executableNotLoadable, userInfo: [NSLocalizedDescriptionKey: "chromium is not installed: run scripts/setup-system.sh"])
        }
        let process = Process()
        process.executableURL = Self.binary
        // No sandbox: the tests may run as root, where Chromium's sandbox refuses to start.
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                             "--user-data-dir=\(profile.path)", "--virtual-time-budget=5000"] + arguments
        process.currentDirectoryURL = profile.deletingLastPathComponent()
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = profile.path
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let killer = DispatchWorkItem { process.terminate() }
        DispatchQueue.global().asyncAfter(deadline: .now() + 90, execute: killer)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        killer.cancel()
        #expect(process.terminationStatus == 0, "chromium \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
        return String(decoding: data, as: UTF8.self)
    }
}

/// Reading what a page shows from its DOM.
enum PageText {
    /// The text of the element with `id`, tags removed, entities decoded, spaces collapsed.
    static func element(_ id: String, in dom: String) -> String? {
        guard let start = dom.range(of: "id=\"\(id)\"") else { return nil }
        guard let open = dom[start.upperBound...].firstIndex(of: ">") else { return nil }
        let tag = dom[..<start.lowerBound].split(separator: "<").last?.split(separator: " ").first.map(String.init) ?? "p"
        guard let close = dom[open...].range(of: "</\(tag)>") else { return nil }
        return text(String(dom[dom.index(after: open)..<close.lowerBound]))
    }

    /// The cells of each body row of the table with `id`, as text.
    static func rows(_ id: String, in dom: String) -> [[String]] {
        guard let start = dom.range(of: "<table id=\"\(id)\">"),
              let body = dom[start.upperBound...].range(of: "<tbody>"),
              let end = dom[body.upperBound...].range(of: "</tbody>") else { return [] }
        return dom[body.upperBound..<end.lowerBound].components(separatedBy: "<tr>").dropFirst().map { row in
            row.components(separatedBy: "<td>").dropFirst().map { text(String($0.components(separatedBy: "</td>")[0])) }
        }
    }

    /// Markup as the reader sees it.
    static func text(_ html: String) -> String {
        var out = "", inTag = false
        for character in html {
            if character == "<" { inTag = true; out += " " } else if character == ">" { inTag = false } else if !inTag { out.append(character) }
        }
        out = out.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
        return out.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
