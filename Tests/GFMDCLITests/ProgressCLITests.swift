import Foundation
import Testing

/// Long work (apply, verify, export) draws a progress line on a terminal,
/// erased when done, and nothing when piped or with `--quiet`.
@Suite("Progress lines on a terminal")
struct ProgressCLITests {
    let cli = CLI()

    @Test("bundle apply, verify and export draw a progress line on a terminal; piped or --quiet, none")
    func progress() throws {
        try cli.enrolled("laptop", "PHL", author: "Maria Santos")
        for index in 1...3 { try cli.ok("laptop", "new", "practice", "--title", "Practice \(index)") }
        try cli.ok("laptop", "bundle", "create", "--to", "SEC", "-o", "b.gfmd")
        try cli.ok("laptop", "bundle", "create", "--to", "SEC", "-o", "b2.gfmd", "--full")

        let applied = try cli.onTerminal(["bundle", "apply", "b.gfmd", "--replica", "sec"])
        #expect(applied.contains("applying changes: "), "\(applied)")
        #expect(applied.contains("(100%)") && applied.contains("\r\u{1B}[K"), "drawn whole, then erased: \(applied)")
        #expect(applied.contains("b.gfmd: ") && applied.contains("new changes from PHL"), "the result stays: \(applied)")

        let quiet = try cli.onTerminal(["bundle", "apply", "b2.gfmd", "--replica", "sec", "--quiet"])
        #expect(!quiet.contains("applying changes") && quiet.contains("b2.gfmd: "), "\(quiet)")

        let verified = try cli.onTerminal(["verify", "--replica", "sec"])
        #expect(verified.contains("replaying commits: ") && verified.contains("(100%)"), "\(verified)")
        let exported = try cli.onTerminal(["export", "--format", "csv", "-o", "out.csv", "--replica", "sec"])
        #expect(exported.contains("reading records: 3 of 3 (100%)"), "\(exported)")

        let piped = try cli.ok("sec", "verify")
        #expect(!piped.stderr.contains("replaying") && !piped.stdout.contains("replaying"))
        let pipedExport = try cli.ok("sec", "export", "--format", "csv")
        #expect(!pipedExport.stderr.contains("reading records"))
    }
}
