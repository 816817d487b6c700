import Foundation
import GFMDTestSupport
import GRDB
import Testing

@Suite("gfmd verify, as an auditor runs it")
struct VerifyCLITests {
    @Test("an intact replica verifies; a title rewritten in the database is reported and the command fails")
    func alteredTitle() throws {
        let cli = CLI()
        try cli.enrolled("phl", "PHL", author: "Maria Santos")
        let id = try cli.ok("phl", "new", "practice", "--title", "Diaspora bonds").output
        try cli.ok("phl", "bundle", "create", "--to", "SEC", "-o", "phl.gfmd")
        try cli.ok("sec", "bundle", "apply", "phl.gfmd")
        let intact = try cli.ok("sec", "verify", "--json").stdout
        #expect(intact.contains("\"intact\" : true"), "\(intact)")
        #expect(intact.jsonString("digest") == (try cli.digest("sec")))

        let database = try DatabaseQueue(path: cli.path("sec") + "/replica.sqlite")
        try database.write { db in
            try db.execute(sql: "UPDATE record SET title = 'Forged' WHERE title = 'Diaspora bonds'")
        }
        #expect(try cli.ok("sec", "list").stdout.contains("Forged"), "the alteration shows until verified")
        let refused = try cli.refused("sec", ["verify"], mentioning: "verification failed: 1 problem found")
        #expect(refused.stdout.contains("problem    state_mismatch \(id.prefix(8))"), "\(refused.stdout)")
        #expect(refused.stdout.contains("its merged title differs from a replay of its changes"), "\(refused.stdout)")
        #expect(refused.stdout.contains("NOT INTACT"))
    }

    @Test("a replica not yet enrolled has nothing to verify, and says so")
    func notEnrolled() throws {
        let cli = CLI()
        try cli.ok("phl", "init", "--delegation", "PHL", "--author", "Maria Santos")
        try cli.refused("phl", ["verify"], mentioning: "not enrolled")
    }
}
