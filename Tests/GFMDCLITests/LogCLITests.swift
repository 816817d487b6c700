import Foundation
import Testing

@Suite("gfmd log for auditors")
struct LogCLITests {
    let cli = CLI()

    @Test("log names bundles by file and checksum, takes -n and --until, and refuses a field no change can touch")
    func log() throws {
        try cli.enrolled("laptop1", "PHL", author: "Maria Santos")
        try cli.enrolled("laptop2", "PHL", author: "Jose Rizal")
        try cli.introduce(["laptop1", "laptop2"], of: "PHL")
        let id = try cli.ok("laptop1", "new", "practice", "--title", "Diaspora bonds").output
        try cli.ok("laptop1", "set", id, "start_date", "2025-01-15")
        try cli.ok("laptop1", "bundle", "create", "--to", "PHL", "-o", "one.gfmd")
        try cli.ok("laptop2", "bundle", "apply", "one.gfmd")
        let checksum = try cli.run(["bundle", "inspect", "one.gfmd", "--json"]).stdout.jsonString("checksum")
        #expect(checksum.count == 64)
        let log = try cli.ok("laptop2", "log", id).stdout
        #expect(log.contains("[bundle one.gfmd, \(checksum.prefix(12))]") && !log.contains("bundle #"), "\(log)")
        let last = try cli.ok("laptop2", "log", id, "-n", "1").stdout
        #expect(last.components(separatedBy: "change ").count == 2 && last.contains("start_date"))
        let json = try JSONSerialization.jsonObject(with: Data(try cli.ok("laptop2", "log", id, "--json").stdout.utf8)) as? [[String: Any]]
        #expect(json?.first?["bundle_file"] as? String == "one.gfmd")
        #expect(json?.first?["bundle_checksum"] as? String == checksum)
        let none = try cli.ok("laptop2", "log", id, "--until", "2000-01-01").stdout
        #expect(none.isEmpty)
        try cli.refused("laptop2", ["log", id, "--field", "gap"], mentioning: "the fields of a practice are title")
        try cli.refused("laptop2", ["log", "--field", "titel"], mentioning: "no change can touch a field \"titel\"")
        try cli.refused("laptop2", ["log", "-n", "0"], mentioning: "-n takes")
        try cli.refused("laptop2", ["log", "--until", "tomorrow"], mentioning: "--until takes a date")
    }
}
