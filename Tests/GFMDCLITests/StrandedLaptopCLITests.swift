import Foundation
import GFMDTestSupport
import Testing

/// Ordinary ways of handling laptops that once left one of them behind for
/// good (issue 20), typed as users type them.
@Suite("No laptop is stranded: welcome files then HTTP, one file per colleague", .serialized)
struct StrandedLaptopCLITests {
    let cli = CLI()

    /// A hub replica of its own, certified as a secretariat site, that never
    /// received anything from the root replica.
    func startHub() throws -> HubProcess {
        try cli.enrolled("hub", "SEC", author: "GFMD hub", role: "secretariat")
        return try HubProcess(replica: cli.path("hub"), in: cli.directory.url)
    }

    @Test("a laptop that applied the secretariat's welcome file syncs with the hub, every time, in at most two rounds")
    func welcomeThenSync() throws {
        try cli.enrolled("mex", "MEX", author: "Luis Garcia")
        let hub = try startHub()
        defer { _ = hub.terminate() }
        try cli.ok("sec", "bundle", "create", "--to", "MEX", "-o", "welcome.gfmd")
        try cli.ok("mex", "bundle", "apply", "welcome.gfmd")
        let first = try cli.run(["sync", "--replica", "mex", hub.url.absoluteString])
        #expect(first.status == 0, "the first sync ends: \(first.stderr)")
        let second = try cli.ok("mex", "sync", hub.url.absoluteString)
        #expect(second.stdout.contains("In sync with the hub") && (second.stdout.contains("in 1 round") || second.stdout.contains("in 2 rounds")),
                "\(second.stdout)")
        let status = try cli.ok("mex", "status", "--json").stdout
        let peers = try #require(try JSONSerialization.jsonObject(with: Data(status.utf8)) as? [String: Any])["peers"] as? [[String: Any]]
        let sec = try #require(peers?.first { $0["participant"] as? String == "SEC" })
        #expect((sec["sites"] as? [String])?.count == 2, "the root replica and the hub")
    }

    @Test("a focal point hands one file to each colleague in turn: the second carries again what the first did, and every laptop agrees")
    func oneFilePerColleague() throws {
        for (name, author) in [("maria", "Maria Santos"), ("jose", "Jose Rizal"), ("ana", "Ana Cruz")] {
            try cli.enrolled(name, "PHL", author: author)
        }
        try cli.introduce(["maria", "jose", "ana"], of: "PHL")
        let id = try cli.ok("maria", "new", "practice", "--title", "Diaspora bonds").output
        try cli.ok("maria", "add", id, "partners", "IOM")
        let forJose = try cli.ok("maria", "bundle", "create", "--to", "PHL", "-o", "for-jose.gfmd").stdout
        #expect(forJose.contains("PHL's 2 sites"), "\(forJose)")
        try cli.ok("jose", "bundle", "apply", "for-jose.gfmd")
        let forAna = try cli.ok("maria", "bundle", "create", "--to", "PHL", "-o", "for-ana.gfmd").stdout
        #expect(!forAna.contains("Wrote 0 changes"), "\(forAna)")
        try cli.ok("ana", "bundle", "apply", "for-ana.gfmd")
        let maria = try cli.digest("maria")
        #expect(try cli.digest("jose") == maria)
        #expect(try cli.digest("ana") == maria)
        #expect(try cli.ok("ana", "show", id).stdout.contains("Diaspora bonds"))
        // Once each colleague answered, a file for PHL carries nothing new.
        for name in ["jose", "ana"] {
            try cli.ok(name, "bundle", "create", "--to", "PHL", "-o", "\(name)-back.gfmd")
            try cli.ok("maria", "bundle", "apply", "\(name)-back.gfmd")
        }
        let settled = try cli.ok("maria", "bundle", "create", "--to", "PHL", "-o", "settled.gfmd").stdout
        #expect(settled.contains("Wrote 0 changes PHL lacks"), "\(settled)")
    }
}
