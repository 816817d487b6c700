import Foundation
import GFMDCore
import GFMDReplica
import GFMDTestSupport
import Testing

@Suite("The hub as users run it: gfmd serve and gfmd sync in their own processes", .serialized)
struct HubCLITests {
    let cli = CLI()

    /// `gfmd sync URL` for `replica`, started and left running.
    func startSync(_ replica: String, _ url: URL) throws -> Process {
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["sync", "--replica", replica, url.absoluteString]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test("kill -9 of the hub mid-sync loses nothing and the client's retry converges; a client killed mid-sync leaves the hub intact")
    func killed() throws {
        // Replicas made in this process on the real time, which the hub's process reads.
        let fixture = ReplicaFixture(clock: SteppingClock(start: UInt64(Date().timeIntervalSince1970 * 1000)))
        let laptop = try fixture.replica("laptop")
        func draft(_ count: Int) throws {
            for index in 0..<count {
                _ = try laptop.createRecord(type: "practice", title: "Practice \(index)", edits: [
                    .set(field: "start_date", value: "2025-01-15"), .add(field: "partners", value: "IOM"),
                ])
            }
        }
        let hubFolder = fixture.directory.path("_root").path, laptopFolder = fixture.directory.path("laptop").path
        var hub = try ServingProcess(hub: hubFolder, in: cli.directory.url)
        let port = hub.port

        // The client killed mid-sync: the hub stays intact and keeps serving.
        try draft(300)
        let killedClient = try startSync(laptopFolder, hub.url)
        usleep(150_000)
        kill(killedClient.processIdentifier, SIGKILL)
        killedClient.waitUntilExit()
        #expect(try cli.run(["verify", "--replica", hubFolder]).status == 0)

        // The hub killed mid-sync, then restarted on its port: the client's
        // retries converge. Whatever the moment of the kill, nothing is lost;
        // at least one kill must land while a sync runs.
        var killedWhileSyncing = 0
        for delay: useconds_t in [60_000, 200_000, 400_000] {
            try draft(300)
            let sync = try startSync(laptopFolder, hub.url)
            usleep(delay)
            if sync.isRunning { killedWhileSyncing += 1 }
            hub.kill()
            #expect(try cli.run(["verify", "--replica", hubFolder]).status == 0, "the killed hub's replica verifies")
            hub = try ServingProcess(hub: hubFolder, port: port, in: cli.directory.url)
            sync.waitUntilExit()
            #expect(sync.terminationStatus == 0, "the sync retried until the hub came back")
        }
        #expect(killedWhileSyncing >= 1)
        let final = try cli.run(["sync", "--replica", laptopFolder, hub.url.absoluteString])
        #expect(final.status == 0 && final.stdout.contains("pushed 0 changes"), "\(final.stdout)\(final.stderr)")
        #expect(hub.terminate() == 0, "SIGTERM stops the hub gracefully")
        #expect(try cli.run(["verify", "--replica", hubFolder]).status == 0)
        #expect(try cli.run(["list", "--replica", hubFolder, "--json"]).stdout.components(separatedBy: "\"title\"").count == 1_201)
        let phl = try cli.run(["digest", "--replica", hubFolder, "--for", "PHL"]).output
        #expect(try cli.run(["digest", "--replica", laptopFolder]).output == phl)
    }

    @Test("gfmd sync with a hub and its standby: the first out of reach, the standby answers at once; then gfmd sync alone goes where earlier syncs went")
    func standby() throws {
        try cli.enrolled("laptop", "PHL", author: "Maria Santos")
        try cli.enrolled("standby", "SEC", author: "Standby hub", role: "secretariat")
        let hub = try ServingProcess(hub: cli.path("standby"), in: cli.directory.url)
        defer { _ = hub.terminate() }
        // An address nothing answers at: a hub's, once stopped.
        let gone = try ServingProcess(hub: cli.path("sec"), in: cli.directory.url)
        let unreachable = gone.url.absoluteString
        #expect(gone.terminate() == 0)
        try cli.ok("laptop", "new", "practice", "--title", "Diaspora bonds")
        let first = try cli.run(["sync", "--replica", "laptop", unreachable, hub.url.absoluteString])
        #expect(first.status == 0 && first.stdout.contains("at \(hub.url.absoluteString)"), "\(first.stdout)\(first.stderr)")
        #expect(first.stderr.contains("\(unreachable) does not answer") && first.stderr.contains("trying \(hub.url.absoluteString)"), "\(first.stderr)")
        #expect(first.stderr.contains("(tried 2 times)"), "with a standby next, an address out of reach is tried twice: \(first.stderr)")
        let again = try cli.ok("laptop", "sync")
        #expect(again.stdout.contains("In sync with the hub") && again.stdout.contains("pushed 0 changes"), "\(again.stdout)")
        try cli.enrolled("fresh", "MEX", author: "Luis Garcia")
        try cli.refused("fresh", ["sync"], mentioning: "give the hub's address")
    }

    @Test("a backlog larger than the hub takes in one request syncs in one command: pushed in parts, oldest first, every change there")
    func backlogInParts() throws {
        try cli.enrolled("laptop", "PHL", author: "Maria Santos")
        // Four MB of text no compressor shrinks much, against a hub that takes 1 MiB per request.
        var generator = SeededGenerator(seed: 21)
        let letters = Array("abcdefghijklmnopqrstuvwxyz ")
        for index in 0..<12 {
            let id = try cli.ok("laptop", "new", "practice", "--title", "Practice \(index)").output
            let text = (0..<340_000).map { _ in letters[Int(generator.next() % UInt64(letters.count))] }
            let written = try cli.run(["write", id, "summary", "--file", "-", "--replica", "laptop"], input: Array(String(text).utf8))
            #expect(written.status == 0, "\(written.stderr)")
        }
        let hub = try ServingProcess(hub: cli.path("sec"), options: ["--body-limit", "1"], in: cli.directory.url)
        defer { _ = hub.terminate() }
        let synced = try cli.ok("laptop", "sync", hub.url.absoluteString)
        #expect(synced.stdout.contains("pushed 24 changes"), "\(synced.stdout)")
        #expect(synced.stderr.contains("pushing in parts"), "the officer is told: \(synced.stderr)")
        let rounds = Int(synced.stdout.firstMatch(of: /in (\d+) rounds/)?.1 ?? "") ?? 0
        #expect(rounds >= 4, "\(synced.stdout)")
        _ = hub.terminate()
        #expect(try cli.ok("sec", "digest", "--for", "PHL").output == (try cli.digest("laptop")))
        #expect(try cli.ok("sec", "verify").status == 0)
    }

    @Test("gfmd serve refuses a replica that is not the secretariat's and a wrong --mirror, and gfmd sync a wrong address, each in one line")
    func refusals() throws {
        try cli.enrolled("laptop", "PHL", author: "Maria Santos")
        try cli.refused("laptop", ["serve", "--port", "0"], mentioning: "only an enrolled secretariat replica serves")
        try cli.refused("laptop", ["sync", "ftp://example.org"], mentioning: "not a hub address")
        try cli.refused("laptop", ["serve", "--tls-cert", "x.pem"], mentioning: "--tls-cert and --tls-key go together")
        try cli.refused("sec", ["serve", "--mirror", "ftp://standby.example.org"], mentioning: "--mirror takes a hub address")
        try cli.refused("sec", ["serve", "--mirror-ca", "ca.pem"], mentioning: "--mirror-ca goes with --mirror")
        try cli.refused("sec", ["serve", "--mirror", "http://127.0.0.1:9", "--mirror-every", "0"], mentioning: "--mirror-every takes 1 to 86400")
        let hub = try ServingProcess(hub: cli.path("sec"), in: cli.directory.url)
        let result = try cli.ok("laptop", "sync", hub.url.absoluteString)
        #expect(result.stdout.contains("In sync with the hub"))
        #expect(hub.terminate() == 0)
    }
}
