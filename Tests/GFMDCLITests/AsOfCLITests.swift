import Foundation
import Testing

@Suite("gfmd show --as-of: a record as this replica showed it then")
struct AsOfCLITests {
    let cli = CLI()

    @Test("as of a change, a day or a time: earlier titles, a conflict not yet there, a record not yet created")
    func asOf() throws {
        try cli.enrolled("laptop1", "PHL", author: "Maria Santos")
        try cli.enrolled("laptop2", "PHL", author: "Jose Rizal")
        try cli.introduce(["laptop1", "laptop2"], of: "PHL")
        let id = try cli.ok("laptop1", "new", "practice", "--title", "Diaspora bonds").output
        try cli.ok("laptop1", "bundle", "create", "--to", "PHL", "-o", "one.gfmd")
        try cli.ok("laptop2", "bundle", "apply", "one.gfmd")
        try cli.ok("laptop1", "set", id, "title", "Bonds for development")
        try cli.ok("laptop2", "set", id, "title", "Philippine bonds")
        try cli.ok("laptop2", "bundle", "create", "--to", "PHL", "-o", "two.gfmd")
        try cli.ok("laptop1", "bundle", "apply", "two.gfmd")
        let changes = try JSONSerialization.jsonObject(with: Data(try cli.ok("laptop1", "log", id, "--json").stdout.utf8)) as? [[String: Any]]
        let ids = try #require(changes?.compactMap { $0["change"] as? String })
        #expect(ids.count == 3)

        let first = try cli.ok("laptop1", "show", id, "--as-of", String(ids[0].prefix(10))).stdout
        #expect(first.contains("Diaspora bonds") && first.contains("[AS OF") && !first.contains("CONFLICT"))
        let second = try cli.ok("laptop1", "show", id, "--as-of", String(ids[1].prefix(10)), "--json").stdout
        #expect(second.jsonString("status") == "draft" && second.contains("Bonds for development") && !second.contains("Philippine bonds"))
        let now = try cli.ok("laptop1", "show", id, "--as-of", String(ids[2].prefix(10))).stdout
        #expect(now.contains("CONFLICT on title"), "the conflict as it was once both titles were held")
        let today = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
        #expect(try cli.ok("laptop1", "show", id, "--as-of", today).stdout.contains("CONFLICT on title"))
        try cli.refused("laptop1", ["show", id, "--as-of", "2000-01-01"], mentioning: "did not exist on this replica then")
        try cli.refused("laptop1", ["show", id, "--as-of", "yesterday"], mentioning: "is neither a date, a time nor a change id")
        try cli.refused("laptop1", ["show", id, "--as-of", "ffffffff"], mentioning: "no change this replica holds")
        try cli.refused("laptop1", ["show", id, "--as-of", today, "--published"], mentioning: "one at a time")
    }
}
