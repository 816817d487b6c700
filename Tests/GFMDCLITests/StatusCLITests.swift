import Foundation
import Testing

@Suite("gfmd status: this site, its enrolment and what needs attention")
struct StatusCLITests {
    let cli = CLI()

    @Test("status gives the role and validity, the root's fingerprint as enrolment printed it, conflicts, pending and rejected counts")
    func standing() throws {
        try cli.ok("sec", "init", "--secretariat", "--author", "Ana Lopez")
        try cli.ok("laptop", "init", "--delegation", "PHL", "--author", "Maria Santos")
        let unenrolled = try cli.ok("laptop", "status").stdout
        #expect(unenrolled.contains("enrolled   no: not enrolled"))
        try cli.ok("laptop", "request", "-o", "laptop.request")
        try cli.ok("sec", "certify", "laptop.request", "--role", "delegate", "-o", "laptop.cert")
        let enrolment = try cli.ok("laptop", "enroll", "laptop.cert").stdout
        let words = enrolment.split(whereSeparator: \.isWhitespace)
        let fingerprint = try #require(words.firstIndex(of: "fingerprint").map { words[$0 + 1].prefix(32) })
        try cli.ok("laptop", "new", "practice", "--title", "Diaspora bonds")
        let status = try cli.ok("laptop", "status").stdout
        #expect(status.contains("enrolled   delegate of PHL, valid until "))
        #expect(status.contains("root key   fingerprint \(fingerprint)"))
        #expect(status.contains("records    1, no conflict"))
        #expect(status.contains("changes    0 pending (`gfmd pending`), 0 rejected (`gfmd rejected`)"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(cli.ok("laptop", "status", "--json").stdout.utf8)) as? [String: Any])
        #expect(json["role"] as? String == "delegate" && json["root_fingerprint"] as? String == String(fingerprint))
        #expect((json["counts"] as? [String: Int])?["records"] == 1)
    }
}
