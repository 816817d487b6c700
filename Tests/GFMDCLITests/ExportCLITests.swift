import Foundation
import Testing

@Suite("gfmd export: the compendium the secretariat publishes")
struct ExportCLITests {
    let cli = CLI()

    /// The rows of an RFC 4180 document: CRLF between rows, quoted fields with doubled quotes.
    static func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = "", quoted = false
        var characters = Array(text)[...]
        while let character = characters.popFirst() {
            if quoted {
                if character == "\"" {
                    if characters.first == "\"" { field.append("\""); characters.removeFirst() } else { quoted = false }
                } else { field.append(character) }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                row.append(field); field = ""
            } else if character == "\r\n" {
                row.append(field); rows.append(row); row = []; field = ""
            } else {
                field.append(character)
            }
        }
        return rows
    }

    @Test("a published practice exports as its accepted version in CSV, Markdown and JSON, even once reopened as a draft")
    func compendium() throws {
        try cli.enrolled("laptop", "PHL", author: "Maria Santos")
        let id = try cli.ok("laptop", "new", "practice", "--title", "Bonds, \"diaspora\" style", "--set", "start_date=2025-01-15",
                            "--add", "partners=IOM", "--add", "partners=ILO").output
        let written = try cli.run(["write", id, "summary", "--file", "-", "--replica", "laptop"], input: Array("Line one\nLine two".utf8))
        #expect(written.status == 0, "\(written.stderr)")
        _ = try cli.ok("laptop", "new", "practice", "--title", "A draft nobody accepted")
        try cli.ok("laptop", "submit", id)
        try cli.ok("laptop", "bundle", "create", "--to", "SEC", "-o", "b.gfmd")
        try cli.ok("sec", "bundle", "apply", "b.gfmd")
        try cli.ok("sec", "review", id, "--start")
        try cli.ok("sec", "review", id, "--accept")
        try cli.ok("sec", "set", id, "title", "Reopened as a draft")
        #expect(try cli.ok("sec", "list", "--status", "accepted").stdout.contains("No records."))
        #expect(try cli.ok("sec", "list", "--published").stdout.contains(String(id.prefix(8))))

        let rows = Self.parseCSV(try cli.ok("sec", "export", "--format", "csv", "--published").stdout)
        #expect(rows.count == 2, "a header and the one published record: \(rows)")
        let header = try #require(rows.first), record = try #require(rows.last)
        func value(_ column: String) -> String? { header.firstIndex(of: column).map { record[$0] } }
        #expect(value("title") == "Bonds, \"diaspora\" style" && value("summary") == "Line one\nLine two")
        #expect(value("partners") == "ILO; IOM" && value("owner_name") == "Philippines" && value("status") == "accepted")
        #expect(record.count == header.count)

        let markdown = try cli.ok("sec", "export", "--format", "markdown", "--published", "-o", "compendium.md")
        #expect(markdown.stderr.contains("Wrote 1 published record as markdown to compendium.md"))
        let text = try String(contentsOfFile: cli.path("compendium.md"), encoding: .utf8)
        #expect(text.contains("# practice: ") && text.contains("## Philippines (PHL)") && text.contains("### Bonds, \"diaspora\" style"))
        #expect(!text.contains("Reopened as a draft") && !text.contains("A draft nobody accepted"))

        let json = try JSONSerialization.jsonObject(with: Data(try cli.ok("sec", "export", "--format", "json").stdout.utf8)) as? [[String: Any]]
        #expect(json?.count == 2, "without --published, every record as merged")
        try cli.refused("sec", ["export", "--format", "pdf"], mentioning: "--format takes csv, json or markdown")
        try cli.refused("sec", ["export", "--format", "csv", "--type", "practise"], mentioning: "is not a record type")
    }

    @Test("the matrix of knowledge gaps: themes down, proposers across, each cell its gaps; published versions only with --published")
    func matrix() throws {
        try cli.enrolled("phl", "PHL", author: "Maria Santos")
        try cli.enrolled("mex", "MEX", author: "Luis Garcia")
        func gap(_ replica: String, theme: String, gap: String, proposers: [String]) throws -> String {
            try cli.ok(replica, ["new", "knowledge_gap", "--title", theme, "--set", "gap=\(gap)"] + proposers.flatMap { ["--add", "proposers=\($0)"] }).output
        }
        let returns = try gap("phl", theme: "Return migration", gap: "How many returnees find work within a year\nSecond line", proposers: ["PHL", "MEX"])
        let remit = try gap("phl", theme: "Remittances", gap: "Costs of small transfers, by corridor", proposers: [])
        _ = try gap("mex", theme: "Return migration", gap: "Children of returnees at school", proposers: ["MEX"])
        for replica in ["phl", "mex"] {
            try cli.ok(replica, "bundle", "create", "--to", "SEC", "-o", "\(replica).gfmd")
            try cli.ok("sec", "bundle", "apply", "\(replica).gfmd")
        }

        let rows = Self.parseCSV(try cli.ok("sec", "export", "--matrix", "--format", "csv").stdout)
        #expect(rows.first == ["theme", "MEX", "PHL"])
        let byTheme = Dictionary(uniqueKeysWithValues: rows.dropFirst().map { ($0[0], Array($0.dropFirst())) })
        #expect(rows.dropFirst().map(\.[0]) == ["Remittances", "Return migration"])
        #expect(byTheme["Remittances"]?[0] == "" && byTheme["Remittances"]?[1].hasSuffix(": Costs of small transfers, by corridor") == true,
                "a gap without proposers is its owner's: \(rows)")
        let mexReturns = byTheme["Return migration"]?[0].split(separator: "\n").map(String.init) ?? []
        #expect(mexReturns.count == 2 && mexReturns.contains { $0.hasSuffix(": How many returnees find work within a year") }, "\(mexReturns)")
        #expect(byTheme["Return migration"]?[1].contains("How many returnees") == true, "a gap proposed by two is in both cells")
        let markdown = try cli.ok("sec", "export", "--matrix", "--format", "markdown").stdout
        #expect(markdown.contains("| theme | Mexico (MEX) | Philippines (PHL) |"), "\(markdown)")

        // Published only: none until the secretariat accepts one.
        #expect(Self.parseCSV(try cli.ok("sec", "export", "--matrix", "--format", "csv", "--published").stdout) == [["theme"]])
        try cli.ok("phl", "submit", returns)
        try cli.ok("phl", "bundle", "create", "--to", "SEC", "-o", "phl-2.gfmd")
        try cli.ok("sec", "bundle", "apply", "phl-2.gfmd")
        try cli.ok("sec", "review", returns, "--start")
        try cli.ok("sec", "review", returns, "--accept")
        let published = Self.parseCSV(try cli.ok("sec", "export", "--matrix", "--format", "csv", "--published").stdout)
        #expect(published.map(\.[0]) == ["theme", "Return migration"] && !published.joined().joined().contains(remit))
        _ = try cli.refused("sec", ["export", "--matrix", "--format", "json"], mentioning: "csv or markdown")
    }
}
