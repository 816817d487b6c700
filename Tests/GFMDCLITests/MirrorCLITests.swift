import Foundation
import GFMDTestSupport
import GRDB
import Testing

/// Two hubs kept in step by `gfmd serve --mirror`, as the secretariat runs a
/// standby: laptops sync with either, switch between them, and one hub is
/// killed and comes back (issue 23).
@Suite("A standby hub: gfmd serve --mirror", .serialized)
struct MirrorCLITests {
    let cli = CLI()

    /// Waits up to a minute for `condition`, checking twice a second.
    func eventually(_ condition: () throws -> Bool) rethrows -> Bool {
        for _ in 0..<120 {
            if try condition() { return true }
            usleep(500_000)
        }
        return false
    }

    /// What `participant` may read of `hub` (everything, when nil), as its digest.
    func digest(_ hub: String, for participant: String? = nil) throws -> String {
        try cli.run(["digest", "--replica", hub] + (participant.map { ["--for", $0] } ?? [])).output
    }

    /// The change count and new changes of the bundle `replica` applied last.
    func lastBundle(of replica: String) throws -> (changes: Int, new: Int) {
        let queue = try DatabaseQueue(path: cli.path(replica) + "/replica.sqlite", configuration: {
            var configuration = Configuration()
            configuration.readonly = true
            return configuration
        }())
        let row = try #require(try queue.read { try Row.fetchOne($0, sql: "SELECT change_count, new_changes FROM bundle ORDER BY id DESC LIMIT 1") })
        return (row[0], row[1])
    }

    @Test("two hubs converge while laptops sync with either; a laptop that switches hubs receives only what it lacks; a hub killed while mirroring catches up when it returns")
    func standbyHub() throws {
        try cli.enrolled("phl1", "PHL", author: "Maria Santos")
        try cli.enrolled("phl2", "PHL", author: "Jose Rizal")
        try cli.enrolled("hubA", "SEC", author: "Main hub", role: "secretariat")
        try cli.enrolled("hubB", "SEC", author: "Standby hub", role: "secretariat")
        let standby = try ServingProcess(hub: cli.path("hubB"), in: cli.directory.url)
        defer { _ = standby.terminate() }
        let mirrorOptions = ["--mirror", standby.url.absoluteString, "--mirror-every", "1"]
        var main = try ServingProcess(hub: cli.path("hubA"), options: mirrorOptions, in: cli.directory.url)

        // Maria syncs with the main hub; the standby has her practice soon after.
        let id = try cli.ok("phl1", "new", "practice", "--title", "Diaspora bonds").output
        try cli.ok("phl1", "sync", main.url.absoluteString)
        let maria = try cli.digest("phl1")
        #expect(try eventually { try digest("hubB", for: "PHL") == maria }, "the standby received Maria's practice")

        // Jose syncs with the standby, and edits there; the main hub has it soon after.
        try cli.ok("phl2", "sync", standby.url.absoluteString)
        #expect(try cli.ok("phl2", "show", id).stdout.contains("Diaspora bonds"))
        try cli.ok("phl2", "set", id, "title", "Diaspora bonds for housing")
        try cli.ok("phl2", "sync", standby.url.absoluteString)
        let jose = try cli.digest("phl2")
        #expect(try eventually { try digest("hubA", for: "PHL") == jose }, "the main hub received Jose's edit")

        // Maria switches to the standby: she receives Jose's edit, and nothing she holds.
        let switched = try cli.ok("phl1", "sync", standby.url.absoluteString)
        #expect(switched.stdout.contains("pushed 0 changes"), "\(switched.stdout)")
        let answer = try lastBundle(of: "phl1")
        #expect(answer.new >= 1, "Jose's edit")
        #expect(answer.changes == answer.new, "the standby's answer carried \(answer.changes) changes, \(answer.new) of them new")
        #expect(try cli.digest("phl1") == jose)

        // The main hub is killed; Jose goes on with the standby; the main hub comes back and catches up.
        let port = main.port
        main.kill()
        try cli.ok("phl2", "set", id, "start_date", "2025-01-15")
        try cli.ok("phl2", "sync", standby.url.absoluteString)
        main = try ServingProcess(hub: cli.path("hubA"), port: port, options: mirrorOptions, in: cli.directory.url)
        #expect(try eventually { try digest("hubA") == digest("hubB") }, "both hubs hold the same")
        #expect(try digest("hubA", for: "PHL") == cli.digest("phl2"))
        #expect(main.terminate() == 0, "SIGTERM stops a mirroring hub gracefully")
        #expect(try cli.run(["verify", "--replica", cli.path("hubA")]).status == 0)
    }
}
