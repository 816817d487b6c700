import Foundation
import GFMDCore
import GFMDTestSupport
import Testing

@Suite("Enrolment, review and per-peer bundles with the gfmd command")
struct TrustCLITests {
    /// The changes on replica `name` (of record `id`, if given) whose operations mention `text`, oldest first, from `gfmd log --json`.
    func changes(_ cli: CLI, _ name: String, of id: String? = nil, mentioning text: String = "") throws -> [Hash256] {
        let arguments = ["log"] + (id.map { [$0] } ?? []) + ["--json"]
        let log = try JSONSerialization.jsonObject(with: Data(try cli.ok(name, arguments).stdout.utf8)) as? [[String: Any]]
        return try #require(log)
            .filter { text.isEmpty || (($0["operations"] as? [String]) ?? []).contains { $0.contains(text) } }
            .compactMap { ($0["change"] as? String).flatMap(Hex.decode).map(Hash256.init(bytes:)) }
    }

    @Test("SEC enrols two PHL laptops and one MEX laptop; drafts stay home until accepted; a forged MEX change is rejected everywhere")
    func doneWhen() throws {
        let cli = CLI()
        try cli.enrolled("phl1", "PHL", author: "Maria Santos")
        try cli.enrolled("phl2", "PHL", author: "Jose Rizal")
        try cli.enrolled("mex", "MEX", author: "Luis Garcia")

        let practice = try cli.ok("phl1", "new", "practice", "--title", "Diaspora bonds", "--set", "summary=Retail bonds for Filipinos abroad.").output
        let mexican = try cli.ok("mex", "new", "practice", "--title", "Remesas productivas").output
        try cli.ok("phl1", "bundle", "create", "--to", "SEC", "-o", "phl1-sec.gfmd")
        try cli.ok("mex", "bundle", "create", "--to", "SEC", "-o", "mex-sec.gfmd")
        try cli.ok("sec", "bundle", "apply", "phl1-sec.gfmd", "mex-sec.gfmd")
        try cli.ok("sec", "bundle", "create", "--to", "MEX", "-o", "sec-mex.gfmd")
        try cli.ok("sec", "bundle", "create", "--to", "PHL", "-o", "sec-phl.gfmd")
        try cli.ok("mex", "bundle", "apply", "sec-mex.gfmd")
        try cli.ok("phl2", "bundle", "apply", "sec-phl.gfmd")
        #expect(!(try cli.ok("mex", "list").stdout.contains("Diaspora bonds")), "MEX never receives the PHL draft")
        try cli.refused("mex", ["show", practice], mentioning: "no record")
        #expect(try cli.ok("phl2", "show", practice).stdout.contains("Retail bonds for Filipinos abroad."))
        #expect(!(try cli.ok("phl2", "list").stdout.contains("Remesas")), "nor PHL the MEX draft")

        // Review: the delegation submits, the secretariat accepts; a delegation cannot accept.
        try cli.refused("phl1", ["review", practice, "--accept"], mentioning: "cannot move a record from draft to accepted")
        try cli.ok("phl1", "submit", practice)
        try cli.refused("phl1", ["set", practice, "contact", "Desk A"], mentioning: "withdraw it first")
        try cli.ok("phl1", "bundle", "create", "--to", "SEC", "-o", "phl1-submitted.gfmd")
        try cli.ok("sec", "bundle", "apply", "phl1-submitted.gfmd")
        try cli.refused("sec", ["review", practice, "--accept"], mentioning: "from submitted to accepted")
        try cli.ok("sec", "review", practice, "--start")
        try cli.ok("sec", "review", practice, "--accept")
        try cli.ok("sec", "bundle", "create", "--to", "MEX", "-o", "sec-mex-2.gfmd")
        try cli.ok("mex", "bundle", "apply", "sec-mex-2.gfmd")
        let published = try cli.ok("mex", "show", practice).stdout
        #expect(published.contains("Diaspora bonds") && published.contains("status accepted"))
        #expect(try cli.ok("mex", "list").stdout.contains("Remesas productivas"), "and keeps its own \(mexican)")
        #expect(try cli.digest("mex") == cli.ok("sec", "digest", "--for", "MEX").output)

        // MEX may not edit it: refused locally, with the reason.
        try cli.refused("mex", ["set", practice, "title", "Bonos"], mentioning: "MEX neither owns nor co-authors this practice (owner PHL)")

        // A change forged with MEX's key, bypassing that check, is rejected wherever it lands.
        let history = try changes(cli, "mex", of: practice)
        let key = try Forgery.siteKey(in: URL(fileURLWithPath: cli.path("mex")))
        let certificate = try changes(cli, "mex", mentioning: "certify site \(key.siteID.short)")
        #expect(certificate.count == 1)
        let forged = Forgery.bundle(
            key: key, participant: "MEX", author: "Luis Garcia",
            record: try #require(RecordID(hex: try cli.ok("mex", "show", practice, "--json").stdout.jsonString("id"))),
            dependencies: [try #require(history.last)] + certificate, operations: [.set(field: "title", value: .string("Bonos mexicanos"), pred: [history[0]])],
            at: HybridTimestamp(milliseconds: UInt64(Date().timeIntervalSince1970 * 1000), counter: 0),
            certificate: try Forgery.certificate(in: URL(fileURLWithPath: cli.path("mex"))))
        try Data(forged.bytes).write(to: URL(fileURLWithPath: cli.path("forged.gfmd")))
        #expect(try cli.ok("sec", "bundle", "apply", "forged.gfmd").stdout.contains("1 rejected"))
        // phl1 has not seen the acceptance the forged change builds on: it waits, then is judged.
        #expect(try cli.ok("phl1", "bundle", "apply", "forged.gfmd").stdout.contains("1 waiting"))
        try cli.ok("sec", "bundle", "create", "--to", "PHL", "-o", "sec-phl-2.gfmd")
        for name in ["phl1", "phl2"] { try cli.ok(name, "bundle", "apply", "sec-phl-2.gfmd") }
        for name in ["sec", "phl1", "phl2"] {
            let rejected = try cli.ok(name, "rejected").stdout
            #expect(rejected.contains(forged.change.short) && rejected.contains("Luis Garcia, MEX"), "\(name): \(rejected)")
            #expect(rejected.contains("not_contributor"), "\(name): \(rejected)")
            #expect(try cli.ok(name, "show", practice).stdout.contains("Diaspora bonds"))
        }
        let phlDigest = try cli.digest("phl1")
        #expect(try cli.digest("phl2") == phlDigest)
        #expect(try cli.ok("sec", "digest", "--for", "PHL").output == phlDigest)
        // An auditor's check: the rejected change is part of an intact history.
        for name in ["sec", "phl1", "phl2"] {
            #expect(try cli.ok(name, "verify").stdout.contains("verdict    intact"), "\(name)")
        }
    }

    @Test("certify refuses a non-request, a non-SEC secretariat and an unknown role; an unenrolled laptop cannot edit")
    func enrolmentMistakes() throws {
        let cli = CLI()
        try cli.ok("sec", "init", "--secretariat", "--author", "Ana Lopez")
        try cli.ok("phl", "init", "--delegation", "PHL", "--author", "Maria Santos")
        try cli.refused("phl", ["new", "practice", "--title", "Too early"], mentioning: "not enrolled")
        try cli.ok("phl", "request", "-o", "phl.request")
        try cli.refused("sec", ["certify", "phl.request", "--role", "admin", "-o", "x"], mentioning: "not a role")
        try cli.refused("sec", ["certify", "phl.request", "--role", "secretariat", "-o", "x"], mentioning: "only sites of the secretariat")
        try Data("not a request".utf8).write(to: URL(fileURLWithPath: cli.path("junk.request")))
        try cli.refused("sec", ["certify", "junk.request", "--role", "delegate", "-o", "x"], mentioning: "not a valid enrolment request")
        try cli.refused("phl", ["certify", "phl.request", "--role", "delegate", "-o", "x"], mentioning: "root key")
        try cli.ok("other", "init", "--delegation", "MEX", "--author", "Luis")
        try cli.ok("sec", "certify", "phl.request", "--role", "delegate", "-o", "phl.cert")
        try cli.refused("other", ["enroll", "phl.cert"], mentioning: "does not certify this site")
        try cli.refused("other", ["enroll", "junk.request"], mentioning: "not a gfmd bundle")
        try cli.refused("other", ["new", "practice", "--title", "Still not enrolled"], mentioning: "not enrolled")
        try cli.refused("sec", ["revoke", "0000"], mentioning: "no enrolled site")
        let enrolled = try cli.ok("phl", "enroll", "phl.cert").stdout
        #expect(enrolled.contains("delegate of PHL"))
        try cli.ok("phl", "new", "practice", "--title", "Now enrolled")
        let site = try cli.ok("phl", "request", "-o", "again.request").stdout
        let siteID = try #require(site.split(separator: " ").first { $0.count == 32 }).prefix(8)
        let revoked = try cli.ok("sec", "revoke", String(siteID), "--reason", "laptop lost").stdout
        #expect(revoked.contains("Revoked certificate"))
        try cli.refused("sec", ["revoke", String(siteID)], mentioning: "already revoked (certificate 2, on ")
        let sites = try cli.ok("sec", "sites").stdout.split(separator: "\n")
        #expect(sites.first?.hasPrefix("SITE") == true && sites.count == 3)
        #expect(sites.contains { $0.hasPrefix(String(siteID)) && $0.contains("PHL") && $0.contains("revoked") && $0.contains("laptop lost") })
        #expect(sites.contains { $0.contains("SEC") && $0.contains("secretariat") && $0.contains("valid until") })
        let json = try JSONSerialization.jsonObject(with: Data(try cli.ok("sec", "sites", "--json").stdout.utf8)) as? [[String: Any]]
        #expect(json?.compactMap { $0["revoked"] as? Bool } == [true, false], "PHL's revoked laptop, then SEC's site")
    }
}

extension String {
    /// The string value of `key` in this JSON object.
    func jsonString(_ key: String) -> String {
        let object = try? JSONSerialization.jsonObject(with: Data(utf8)) as? [String: Any]
        return object?[key] as? String ?? ""
    }
}
