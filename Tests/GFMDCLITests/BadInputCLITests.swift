import Foundation
import GFMDTestSupport
import Testing

@Suite("The gfmd command refuses bad input on one line and changes nothing")
struct BadInputCLITests {
    let cli = CLI()
    let id: String

    init() throws {
        try cli.enrolled("sender", "PHL", author: "Maria Santos")
        try cli.enrolled("receiver", "SEC", author: "Ana Lopez", role: "secretariat")
        id = try cli.ok("sender", "new", "practice", "--title", "Diaspora bonds").output
        // Plain: the files below are damaged on purpose, and read as such.
        try cli.ok("sender", "bundle", "create", "--all", "--plain", "-o", "good.gfmd")
        try cli.ok("receiver", "new", "knowledge_gap", "--title", "Data on return")
    }

    @Test("a bundle sealed for another participant is refused, says for whom it is, and changes nothing")
    func sealedForOthers() throws {
        try cli.ok("sender", "bundle", "create", "--all", "-o", "phl-only.gfmd")
        let before = try cli.digest("receiver")
        try cli.refused("receiver", ["bundle", "apply", "phl-only.gfmd"], mentioning: "this bundle is for PHL")
        #expect(try cli.digest("receiver") == before)
        #expect(try cli.ok("receiver", "log", "--json").stdout.contains("Diaspora") == false)
    }

    func write(_ bytes: [UInt8], _ name: String) throws -> String {
        try Data(bytes).write(to: URL(fileURLWithPath: cli.path(name)))
        return name
    }

    func good() throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: cli.path("good.gfmd"))))
    }

    @Test("damaged, forged, foreign and duplicated bundle files")
    func bundles() throws {
        let before = try cli.digest("receiver")
        let bytes = try good()
        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x01
        var newer = bytes
        newer[9] = 9
        var resigned = bytes
        resigned[resigned.count - 1] ^= 0x80
        let cases: [(String, String)] = [
            (try write(Array(bytes.prefix(bytes.count - 10)), "truncated.gfmd"), "truncated"),
            (try write(Array(bytes.prefix(30)), "short.gfmd"), "truncated"),
            (try write(flipped, "flipped.gfmd"), "checksum"),
            (try write(newer, "newer.gfmd"), "version 9"),
            (try write(resigned, "resigned.gfmd"), "signature"),
            (try write(Array("Dear colleagues, please find attached".utf8), "letter.gfmd"), "not a gfmd bundle"),
            ("missing.gfmd", "no such file"),
        ]
        for (file, expected) in cases {
            try cli.refused("receiver", ["bundle", "apply", file], mentioning: expected)
            #expect(try cli.digest("receiver") == before, "\(file)")
        }
        try cli.ok("receiver", "bundle", "apply", "good.gfmd")
        let applied = try cli.digest("receiver")
        #expect(try cli.ok("receiver", "bundle", "apply", "good.gfmd").stdout.contains("already applied on"))
        #expect(try cli.digest("receiver") == applied)
        let inspected = try cli.run(["bundle", "inspect", "flipped.gfmd"])
        #expect(inspected.status != 0 && inspected.stderr.contains("checksum"))
    }

    @Test("a bundle from another secretariat's laptop is refused before anything is stored")
    func stranger() throws {
        try cli.ok("other", "init", "--secretariat", "--author", "Someone Else")
        try cli.ok("other", "new", "practice", "--title", "Not ours")
        try cli.ok("other", "bundle", "create", "--all", "-o", "foreign.gfmd")
        let before = try cli.digest("receiver")
        try cli.refused("receiver", ["bundle", "apply", "foreign.gfmd"], mentioning: "not enrolled with this replica's secretariat")
        #expect(try cli.digest("receiver") == before)
        #expect(try cli.ok("receiver", "rejected").output == "No rejected changes.")
        #expect(try cli.ok("receiver", "pending").output == "Nothing is pending.")
    }

    @Test("bad edits: unknown participants, wrong kinds, unknown records and fields")
    func edits() throws {
        let before = try cli.digest("sender")
        try cli.refused("sender", ["add", id, "partners", "XYZ"], mentioning: "not a participant code")
        try cli.refused("sender", ["set", id, "partners", "IOM"], mentioning: "is a set")
        try cli.refused("sender", ["add", id, "title", "x"], mentioning: "not a set")
        try cli.refused("sender", ["set", id, "start_date", "next spring"], mentioning: "YYYY-MM-DD")
        try cli.refused("sender", ["set", id, "colour", "blue"], mentioning: "no field")
        try cli.refused("sender", ["set", "0000ffff", "title", "x"], mentioning: "no record")
        try cli.refused("sender", ["set", "12", "title", "x"], mentioning: "at least 4")
        try cli.refused("sender", ["resolve", id, "title", "x"], mentioning: "no conflict")
        try cli.refused("sender", ["remove", id, "partners", "ILO"], mentioning: "does not contain")
        try cli.refused("sender", ["new", "memo", "--title", "x"], mentioning: "not a record type")
        try cli.refused("sender", ["list", "--owner", "XYZ"], mentioning: "not a participant code")
        try cli.refused("sender", ["bundle", "create", "-o", "x.gfmd"], mentioning: "--all")
        try cli.refused("sender", ["bundle", "create", "--to", "XYZ", "-o", "x.gfmd"], mentioning: "not a participant code")
        #expect(try cli.digest("sender") == before)
        try cli.refused("fresh", ["init", "--delegation", "XYZ", "--author", "A"], mentioning: "not a participant code")
        try cli.refused("fresh", ["list"], mentioning: "no replica")
        try cli.refused("sender", ["init", "--delegation", "PHL", "--author", "A"], mentioning: "already holds a replica")
    }
}
