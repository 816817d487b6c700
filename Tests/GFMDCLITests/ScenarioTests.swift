import Foundation
import GFMDTestSupport
import Testing

@Suite("The gfmd command, as a user runs it")
struct ScenarioTests {
    @Test("two PHL laptops and the secretariat edit offline, exchange bundles in any order, and settle a conflict",
          arguments: [[0, 1, 2], [2, 1, 0], [1, 2, 0]])
    func doneWhen(order: [Int]) throws {
        let cli = CLI()
        try cli.enrolled("laptop1", "PHL", author: "Maria Santos")
        try cli.enrolled("laptop2", "phl", author: "Jose Rizal")
        try cli.introduce(["laptop1", "laptop2"], of: "PHL")
        let id = try cli.ok("laptop1", "new", "practice", "--title", "Diaspora bonds", "--add", "partners=IOM").output
        #expect(id.range(of: "^[0-9a-f]{8,32}$", options: .regularExpression) != nil, "new prints the id alone: \(id)")
        // Sealed: each bundle opens only for the participant it is made for.
        try cli.ok("laptop1", "bundle", "create", "--to", "PHL", "-o", "start.gfmd")
        try cli.ok("laptop2", "bundle", "apply", "start.gfmd")
        try cli.ok("laptop1", "bundle", "create", "--to", "SEC", "-o", "start-sec.gfmd")
        try cli.ok("sec", "bundle", "apply", "start-sec.gfmd")

        try cli.ok("laptop1", "set", id, "title", "Diaspora bonds for development")
        try cli.ok("laptop2", "set", id, "title", "Philippine diaspora bonds")
        try cli.ok("laptop1", "add", id, "partners", "ILO")
        try cli.ok("laptop2", "add", id, "partners", "UNDP")
        try cli.ok("sec", "add", id, "themes", "remittances")

        let names = ["laptop1", "laptop2", "sec"]
        func participant(_ name: String) -> String { name == "sec" ? "SEC" : "PHL" }
        for sender in names {
            for to in Set(names.filter { $0 != sender }.map(participant)) {
                try cli.ok(sender, "bundle", "create", "--to", to, "--full", "-o", "\(sender)-for-\(to).gfmd")
            }
        }
        for receiver in names {
            for sender in order.map({ names[$0] }) where sender != receiver {
                try cli.ok(receiver, "bundle", "apply", "\(sender)-for-\(participant(receiver)).gfmd")
            }
        }
        let digests = try Set(names.map { try cli.digest($0) })
        #expect(digests.count == 1)

        for name in names {
            let conflicts = try cli.ok(name, "conflicts").stdout
            #expect(conflicts.contains("title: 2 concurrent values"))
            #expect(conflicts.contains("Diaspora bonds for development") && conflicts.contains("Philippine diaspora bonds"))
            #expect(conflicts.contains("Maria Santos (PHL)") && conflicts.contains("Jose Rizal (PHL)"))
            #expect(conflicts.contains(" UTC"))
            let show = try cli.ok(name, "show", id).stdout
            #expect(show.contains("partners: ILO, IOM, UNDP"))
            #expect(show.contains("themes: remittances"))
        }

        try cli.ok("sec", "resolve", id, "title", "Diaspora bonds for development")
        try cli.ok("sec", "bundle", "create", "--to", "PHL", "-o", "resolved.gfmd")
        for name in ["laptop1", "laptop2"] { try cli.ok(name, "bundle", "apply", "resolved.gfmd") }
        for name in names {
            #expect(try cli.ok(name, "conflicts").output == "No conflicts.")
        }
        #expect(try Set(names.map { try cli.digest($0) }).count == 1)
    }

    @Test("bundle inspect shows sender, version, change count and whether everything verifies")
    func inspect() throws {
        let cli = CLI()
        try cli.enrolled("laptop1", "PHL", author: "Maria Santos")
        try cli.ok("laptop1", "new", "practice", "--title", "One")
        try cli.ok("laptop1", "new", "knowledge_gap", "--title", "Two")
        try cli.ok("laptop1", "bundle", "create", "--all", "--plain", "-o", "b.gfmd")
        let text = try cli.run(["bundle", "inspect", "b.gfmd"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("sender     PHL"))
        #expect(text.stdout.contains("format     version 5"))
        #expect(text.stdout.contains("sealed     no: anyone who holds the file can read it"))
        #expect(text.stdout.contains("for        any replica: everything its sender holds"))
        #expect(text.stdout.contains("changes    4 in 4 commits"), "two certificates in the trust record, then two records")
        #expect(text.stdout.contains("every hash and signature verifies"))
        let json = try cli.run(["bundle", "inspect", "b.gfmd", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["change_count"] as? Int == 4)
        #expect(object["sender_participant"] as? String == "PHL")
        #expect(object["all_verified"] as? Bool == true)

        // Sealed (the default): anyone sees for whom it is; only its recipients open and check the body.
        let created = try cli.ok("laptop1", "bundle", "create", "--all", "-o", "sealed.gfmd").stdout
        #expect(created.contains("Sealed for PHL: only its 1 site"), "\(created)")
        let outside = try cli.run(["bundle", "inspect", "sealed.gfmd"])
        #expect(outside.status == 0 && outside.stdout.contains("format     version 6"))
        #expect(outside.stdout.contains("sealed     for PHL (1 site: ") && outside.stdout.contains("not opened: this replica is not among them"))
        #expect(outside.stdout.contains("verdict    intact and signed by its sender; only PHL can open it"))
        let inside = try cli.ok("laptop1", "bundle", "inspect", "sealed.gfmd").stdout
        #expect(inside.contains("opened with this replica's key") && inside.contains("changes    4 in 4 commits"))
        #expect(inside.contains("every hash and signature verifies"))
    }

    @Test("every read command speaks JSON with --json")
    func json() throws {
        let cli = CLI()
        try cli.enrolled("r", "MEX", author: "Luis")
        let id = try cli.ok("r", "new", "practice", "--title", "Ventanilla", "--set", "start_date=2024-03-01").output
        for arguments in [["show", id], ["list"], ["conflicts"], ["log"], ["log", id, "--field", "title"], ["digest"], ["rejected"]] {
            let result = try cli.ok("r", arguments + ["--json"])
            #expect((try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) != nil, "\(arguments): \(result.stdout)")
        }
        let shown = try JSONSerialization.jsonObject(with: Data(try cli.ok("r", "show", id, "--json").stdout.utf8)) as? [String: Any]
        #expect((shown?["fields"] as? [String: Any])?["start_date"] as? String == "2024-03-01")
    }

    @Test("the replica comes from --replica, else $GFMD_REPLICA")
    func replicaLocation() throws {
        let cli = CLI()
        let path = cli.path("from-env")
        let created = try cli.run(["init", "--delegation", "PHL", "--author", "A"], environment: ["GFMD_REPLICA": path])
        #expect(created.status == 0)
        #expect(FileManager.default.fileExists(atPath: path + "/replica.sqlite"))
        let listed = try cli.run(["list"], environment: ["GFMD_REPLICA": path])
        #expect(listed.status == 0)
    }

    @Test("help is written for a delegation officer")
    func help() throws {
        let cli = CLI()
        let result = try cli.run(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("bundle"))
        #expect(result.stdout.contains("USB stick"))
    }
}
