import Foundation
import Testing

@Suite("gfmd blame: who wrote each piece of a record")
struct BlameCLITests {
    let cli = CLI()

    @Test("blame names the author, delegation, time and bundle of each value, element and text span, both values of a conflict")
    func blame() throws {
        try cli.enrolled("laptop1", "PHL", author: "Maria Santos")
        try cli.enrolled("laptop2", "PHL", author: "Jose Rizal")
        try cli.introduce(["laptop1", "laptop2"], of: "PHL")
        let id = try cli.ok("laptop1", "new", "practice", "--title", "Diaspora bonds", "--add", "partners=IOM").output
        let first = try cli.run(["write", id, "summary", "--file", "-", "--replica", "laptop1"], input: Array("Bonds sold abroad.".utf8))
        #expect(first.status == 0)
        try cli.ok("laptop1", "bundle", "create", "--to", "PHL", "-o", "one.gfmd")
        try cli.ok("laptop2", "bundle", "apply", "one.gfmd")
        let second = try cli.run(["write", id, "summary", "--file", "-", "--replica", "laptop2"], input: Array("Bonds sold abroad to the diaspora.".utf8))
        #expect(second.status == 0)
        try cli.ok("laptop2", "add", id, "partners", "ILO")
        try cli.ok("laptop1", "set", id, "title", "Bonds for development")
        try cli.ok("laptop2", "set", id, "title", "Philippine bonds")
        try cli.ok("laptop2", "bundle", "create", "--to", "PHL", "-o", "two.gfmd")
        try cli.ok("laptop1", "bundle", "apply", "two.gfmd")

        let text = try cli.ok("laptop1", "blame", id).stdout
        #expect(text.contains("title:  [conflict]"))
        #expect(text.contains("\"Bonds for development\"") && text.contains("\"Philippine bonds\""))
        let lines = text.split(separator: "\n")
        #expect(lines.contains { $0.contains("\"ILO\"") && $0.contains("Jose Rizal (PHL)") && $0.contains("[bundle two.gfmd, ") })
        #expect(lines.contains { $0.contains("\"IOM\"") && $0.contains("Maria Santos (PHL)") && $0.contains("[made here]") })
        #expect(lines.contains { $0.contains("\"Bonds sold abroad\"") && $0.contains("Maria Santos") })
        #expect(lines.contains { $0.contains("\" to the diaspora\"") && $0.contains("Jose Rizal") })

        let json = try JSONSerialization.jsonObject(with: Data(try cli.ok("laptop1", "blame", id, "--json").stdout.utf8)) as? [[String: Any]]
        let summary = try #require(json?.first { $0["field"] as? String == "summary" })
        let pieces = try #require(summary["pieces"] as? [[String: Any]])
        #expect(pieces.map { $0["text"] as? String ?? "" }.joined() == "Bonds sold abroad to the diaspora.")
        #expect(pieces.first?["span"] as? [Int] == [1, 17])
        let joses = try #require(pieces.first { $0["text"] as? String == " to the diaspora" })
        #expect(joses["bundle_file"] as? String == "two.gfmd" && (joses["bundle_checksum"] as? String)?.count == 64)
        #expect(pieces.last?["text"] as? String == "." && pieces.last?["origin"] as? String == "made here")
        try cli.refused("laptop1", ["blame", "ffff0000"], mentioning: "no record")
    }
}
