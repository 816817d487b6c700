import Foundation
import GFMDTestSupport
import Testing

/// Bundle files that carry only what their recipient lacks (`Protocol/sync.md`).
@Suite("Delta bundles, as a user exchanges them")
struct DeltaCLITests {
    /// The number of changes `gfmd bundle inspect` counts in `file`.
    static func changeCount(_ cli: CLI, _ file: String) throws -> Int {
        let json = try cli.run(["bundle", "inspect", file, "--json", "--replica", "sec"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        return try #require(object["change_count"] as? Int)
    }

    @Test("after one round trip a laptop's bundle for SEC carries only its new change; a lost bundle heals on the next exchange; --full carries everything")
    func weekOfEdits() throws {
        let cli = CLI()
        try cli.enrolled("laptop", "PHL", author: "Maria Santos")
        let id = try cli.ok("laptop", "new", "practice", "--title", "Diaspora bonds").output
        try cli.ok("laptop", "set", id, "contact", "Desk A")
        let first = try cli.ok("laptop", "bundle", "create", "--to", "SEC", "-o", "first.gfmd").output
        #expect(first.contains("everything SEC may read"), "nothing known of SEC yet: \(first)")
        try cli.ok("sec", "bundle", "apply", "first.gfmd")
        try cli.ok("sec", "bundle", "create", "--to", "PHL", "-o", "reply.gfmd")
        try cli.ok("laptop", "bundle", "apply", "reply.gfmd")

        try cli.ok("laptop", "set", id, "contact", "Desk B")
        let tuesday = try cli.ok("laptop", "bundle", "create", "--to", "SEC", "-o", "tuesday.gfmd").output
        #expect(tuesday.hasPrefix("Wrote 1 change SEC lacks, of "), "\(tuesday)")
        #expect(try Self.changeCount(cli, "tuesday.gfmd") == 1)
        let inspected = try cli.run(["bundle", "inspect", "tuesday.gfmd", "--replica", "sec"]).stdout
        #expect(inspected.contains("for        SEC: what it was not known to hold"), "\(inspected)")
        try cli.ok("sec", "bundle", "apply", "tuesday.gfmd")

        // Wednesday's file is lost; Thursday's still arrives.
        try cli.ok("laptop", "set", id, "title", "Diaspora bonds for development")
        try cli.ok("laptop", "bundle", "create", "--to", "SEC", "-o", "wednesday.gfmd")
        try cli.ok("laptop", "add", id, "partners", "IOM")
        try cli.ok("laptop", "bundle", "create", "--to", "SEC", "-o", "thursday.gfmd")
        #expect(try Self.changeCount(cli, "thursday.gfmd") == 1, "Wednesday's change is believed delivered")
        try cli.ok("sec", "bundle", "apply", "thursday.gfmd")
        #expect(try cli.digest("laptop") != cli.ok("sec", "digest", "--for", "PHL").output, "the secretariat misses Wednesday's change")

        // The next exchange heals it, with nothing typed for it.
        try cli.ok("sec", "bundle", "create", "--to", "PHL", "-o", "friday.gfmd")
        try cli.ok("laptop", "bundle", "apply", "friday.gfmd")
        try cli.ok("laptop", "bundle", "create", "--to", "SEC", "-o", "saturday.gfmd")
        #expect(try Self.changeCount(cli, "saturday.gfmd") == 1, "Wednesday's change, sent again")
        try cli.ok("sec", "bundle", "apply", "saturday.gfmd")
        #expect(try cli.digest("laptop") == cli.ok("sec", "digest", "--for", "PHL").output)

        // Once the secretariat answers, nothing is left to send.
        try cli.ok("sec", "bundle", "create", "--to", "PHL", "-o", "sunday.gfmd")
        try cli.ok("laptop", "bundle", "apply", "sunday.gfmd")
        let nothing = try cli.ok("laptop", "bundle", "create", "--to", "SEC", "-o", "monday.gfmd").output
        #expect(nothing.hasPrefix("Wrote 0 changes SEC lacks"), "\(nothing)")
        let full = try cli.ok("laptop", "bundle", "create", "--to", "SEC", "--full", "-o", "full.gfmd").output
        #expect(full.contains("everything SEC may read"), "\(full)")
        let readable = nothing.components(separatedBy: "of ").last?.split(separator: " ").first.flatMap { Int($0) }
        #expect(try Self.changeCount(cli, "full.gfmd") == readable, "\(full) / \(nothing)")
        try cli.ok("sec", "bundle", "apply", "full.gfmd")
        try cli.refused("laptop", ["bundle", "create", "--full", "--all", "-o", "x.gfmd"], mentioning: "--full goes with --to")

        // gfmd status says what each peer is believed to lack.
        try cli.ok("laptop", "set", id, "contact", "Desk C")
        let status = try cli.ok("laptop", "status").stdout
        #expect(status.contains("SEC (1 site, last heard ") && status.contains("believed to lack 1 change"), "\(status)")
        let json = try cli.ok("laptop", "status", "--json").stdout
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let peers = try #require(object["peers"] as? [[String: Any]])
        #expect(peers.first?["participant"] as? String == "SEC" && peers.first?["lacking"] as? Int == 1)
    }
}
