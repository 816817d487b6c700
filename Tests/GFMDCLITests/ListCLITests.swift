import Foundation
import Testing

@Suite("gfmd list as a table")
struct ListCLITests {
    let cli = CLI()

    @Test("list has a header, cuts titles to the width, and shows a contested deletion without --deleted")
    func table() throws {
        try cli.enrolled("laptop1", "PHL", author: "Maria Santos")
        try cli.enrolled("laptop2", "PHL", author: "Jose Rizal")
        try cli.introduce(["laptop1", "laptop2"], of: "PHL")
        let long = "Diaspora bonds for development, a practice with a title far longer than any terminal line"
        let id = try cli.ok("laptop1", "new", "practice", "--title", long).output
        let gone = try cli.ok("laptop1", "new", "practice", "--title", "Plainly deleted").output
        try cli.ok("laptop1", "bundle", "create", "--to", "PHL", "-o", "one.gfmd")
        try cli.ok("laptop2", "bundle", "apply", "one.gfmd")
        // Deleted on one laptop while edited on the other: a contested deletion.
        try cli.ok("laptop1", "delete", id)
        try cli.ok("laptop1", "delete", gone)
        try cli.ok("laptop2", "set", id, "start_date", "2025-01-15")
        try cli.ok("laptop2", "bundle", "create", "--to", "PHL", "-o", "two.gfmd")
        try cli.ok("laptop1", "bundle", "apply", "two.gfmd")
        let listed = try cli.run(["list", "--replica", "laptop1"], environment: ["COLUMNS": "80"]).stdout.split(separator: "\n")
        #expect(listed.first?.contains("ID") == true && listed.first?.contains("TITLE") == true)
        #expect(listed.allSatisfy { $0.count <= 80 }, "\(listed)")
        #expect(listed.count == 2, "the contested deletion only: \(listed)")
        #expect(listed.last?.hasPrefix("!D") == true && listed.last?.hasSuffix("…") == true)
        let all = try cli.run(["list", "--replica", "laptop1", "--deleted"]).stdout
        #expect(all.contains("Plainly deleted"))
        #expect(try cli.ok("laptop1", "list", "--json").stdout.contains("a practice with a title"), "JSON is not cut to the width")
        // Piped without $COLUMNS, like git and ls: nothing is cut, so grep finds a whole title.
        let title = "Remittance corridors and the digital finance of diaspora households"
        try cli.ok("laptop1", "new", "practice", "--title", title)
        let piped = try cli.run(["list", "--replica", "laptop1"])
        #expect(piped.stdout.split(separator: "\n").contains { $0.hasSuffix(title) && $0.count > 80 }, "\(piped.stdout)")
        let shown = try cli.onTerminal(["list", "--replica", "laptop1"])
        #expect(!shown.contains(title) && shown.contains("Remittance"), "cut to the terminal's width: \(shown)")
    }
}
