import Foundation
import GFMDTestSupport
import Testing

@Suite("Writing texts with the gfmd command")
struct TextCLITests {
    @Test("two laptops and the secretariat each edit one paragraph offline; every replica shows all three edits")
    func threeParagraphs() throws {
        let cli = CLI()
        try cli.enrolled("laptop1", "PHL", author: "Maria Santos")
        try cli.enrolled("laptop2", "PHL", author: "Jose Rizal")
        try cli.introduce(["laptop1", "laptop2"], of: "PHL")
        let id = try cli.ok("laptop1", "new", "practice", "--title", "Diaspora bonds").output
        let original = """
            The Philippines issues bonds to its citizens abroad.

            Proceeds fund infrastructure at home; the programme was evaluted in 2023.

            Lessons are shared with other GFMD members.
            """
        try Data(original.utf8).write(to: URL(fileURLWithPath: cli.path("summary.txt")))
        try cli.ok("laptop1", "write", id, "summary", "--file", "summary.txt")
        try cli.ok("laptop1", "bundle", "create", "--all", "-o", "start.gfmd")
        try cli.ok("laptop2", "bundle", "apply", "start.gfmd")
        try cli.ok("laptop1", "bundle", "create", "--to", "SEC", "-o", "start-sec.gfmd")
        try cli.ok("sec", "bundle", "apply", "start-sec.gfmd")

        let first = original.replacingOccurrences(of: "The Philippines issues bonds to its citizens abroad.",
                                                  with: "Since 2021 the Philippines has issued retail bonds to Filipinos abroad.")
        try Data(first.utf8).write(to: URL(fileURLWithPath: cli.path("p1.txt")))
        try cli.ok("laptop1", "write", id, "summary", "--file", "p1.txt")
        let third = original.replacingOccurrences(of: "Lessons are shared with other GFMD members.",
                                                  with: "Lessons were presented at the 2024 GFMD Summit.")
        try Data(third.utf8).write(to: URL(fileURLWithPath: cli.path("p3.txt")))
        try cli.ok("laptop2", "write", id, "summary", "--file", "p3.txt")
        // The secretariat fixes the typo in its editor: a script standing in for the person.
        let editor = cli.path("fix-typo.sh")
        try Data("#!/bin/sh\nsed -i 's/evaluted/evaluated/' \"$1\"\n".utf8).write(to: URL(fileURLWithPath: editor))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: editor)
        let edited = try cli.run(["write", id, "summary", "--editor", "--replica", "sec"], environment: ["EDITOR": editor, "VISUAL": ""])
        #expect(edited.status == 0, "\(edited.stderr)")

        let names = ["laptop1", "laptop2", "sec"]
        func participant(_ name: String) -> String { name == "sec" ? "SEC" : "PHL" }
        for sender in names {
            for to in Set(names.filter { $0 != sender }.map(participant)) {
                try cli.ok(sender, "bundle", "create", "--to", to, "--full", "-o", "\(sender)-for-\(to).gfmd")
            }
        }
        for receiver in names {
            for sender in names.reversed() where sender != receiver {
                try cli.ok(receiver, "bundle", "apply", "\(sender)-for-\(participant(receiver)).gfmd")
            }
        }
        let expected = """
            Since 2021 the Philippines has issued retail bonds to Filipinos abroad.

            Proceeds fund infrastructure at home; the programme was evaluated in 2023.

            Lessons were presented at the 2024 GFMD Summit.
            """
        for name in names {
            let shown = try JSONSerialization.jsonObject(with: Data(try cli.ok(name, "show", id, "--json").stdout.utf8)) as? [String: Any]
            #expect((shown?["fields"] as? [String: Any])?["summary"] as? String == expected, "\(name)")
            #expect(try cli.ok(name, "show", id).stdout.contains("    Lessons were presented at the 2024 GFMD Summit."))
        }
        #expect(try Set(names.map { try cli.digest($0) }).count == 1)
        let log = try cli.ok("laptop1", "log", id, "--field", "summary").stdout
        #expect(log.contains("summary: insert \"evaluated\""))
        #expect(log.contains("summary: delete \"evaluted\""))
        #expect(log.contains("Ana Lopez (SEC"))
    }

    @Test("writing the same text again records nothing; a list field is written item by item")
    func noOpsAndLists() throws {
        let cli = CLI()
        try cli.enrolled("r", "MEX", author: "Luis")
        let id = try cli.ok("r", "new", "background_paper", "--title", "RT 2.1").output
        try Data("Introduction\n---\nContext\n---\nQuestions\n".utf8).write(to: URL(fileURLWithPath: cli.path("sections.txt")))
        try cli.ok("r", "write", id, "sections", "--file", "sections.txt")
        #expect(try cli.ok("r", "write", id, "sections", "--file", "sections.txt").output == "No changes to record.")
        let show = try cli.ok("r", "show", id).stdout
        #expect(show.contains("  [2]\n    Context"))
        let refused = try cli.run(["write", id, "title", "--file", "sections.txt", "--replica", "r"])
        #expect(refused.status != 0 && refused.stderr.contains("not a text or list field"))
        try Data("bad \u{202E} text".utf8).write(to: URL(fileURLWithPath: cli.path("bidi.txt")))
        let bidi = try cli.run(["write", id, "sections", "--file", "bidi.txt", "--replica", "r"])
        #expect(bidi.status != 0 && bidi.stderr.contains("bidirectional"))
    }
}
