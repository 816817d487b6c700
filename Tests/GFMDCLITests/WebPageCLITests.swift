import Foundation
import GFMDTestSupport
import Testing

/// The hub's web pages (`gfmd serve`), loaded in headless Chromium from a
/// real hub process, signed in with the links `gfmd web-user` prints.
@Suite("The hub's web pages, in headless Chromium")
struct WebPageCLITests {
    let cli = CLI()

    /// The records of the scene, by their full ids.
    struct Scene {
        /// PHL's practice, accepted by the secretariat, then retitled by it (a draft again).
        let accepted: String
        /// PHL's practice never submitted, with a conflict on `contact` (PHL and SEC wrote it concurrently).
        let draft: String
        /// MEX's own draft.
        let mexDraft: String
    }

    func scene() throws -> Scene {
        try cli.enrolled("phl", "PHL", author: "Maria Santos")
        try cli.enrolled("mex", "MEX", author: "Luis Garcia")
        let accepted = try cli.ok("phl", "new", "practice", "--title", "Diaspora <bonds>").output
        let draft = try cli.ok("phl", "new", "practice", "--title", "Confidential PHL position").output
        try cli.ok("phl", "submit", accepted)
        try cli.ok("phl", "bundle", "create", "--to", "SEC", "-o", "phl-1.gfmd")
        try cli.ok("sec", "bundle", "apply", "phl-1.gfmd")
        try cli.ok("sec", "review", accepted, "--start")
        try cli.ok("sec", "review", accepted, "--accept")
        try cli.ok("sec", "set", accepted, "title", "Retitled by the secretariat")
        try cli.ok("sec", "set", draft, "contact", "Desk B")
        try cli.ok("phl", "set", draft, "contact", "Desk A")
        try cli.ok("phl", "bundle", "create", "--to", "SEC", "-o", "phl-2.gfmd")
        try cli.ok("sec", "bundle", "apply", "phl-2.gfmd")
        let mexDraft = try cli.ok("mex", "new", "practice", "--title", "Mexican consular ID").output
        try cli.ok("mex", "bundle", "create", "--to", "SEC", "-o", "mex-1.gfmd")
        try cli.ok("sec", "bundle", "apply", "mex-1.gfmd")
        func full(_ short: String) throws -> String {
            let listed = try JSONSerialization.jsonObject(with: Data(try cli.ok("sec", "list", "--json").stdout.utf8)) as? [[String: Any]] ?? []
            return try #require(listed.compactMap { $0["id"] as? String }.first { $0.hasPrefix(short) })
        }
        return Scene(accepted: try full(accepted), draft: try full(draft), mexDraft: try full(mexDraft))
    }

    /// Adds a web account and returns its sign-in link on `hub`.
    func signInLink(_ name: String, participant: String, hub: ServingProcess) throws -> URL {
        try cli.signInLink(name, participant: participant, hub: hub)
    }

    func browser(_ name: String) throws -> Browser {
        try Browser(profile: cli.directory.path("chromium-\(name)"))
    }

    @Test("a MEX auditor's session shows MEX's records and the published version of PHL's, never a PHL draft")
    func mexAuditor() throws {
        let scene = try scene()
        let hub = try ServingProcess(hub: "sec", in: cli.directory.url)
        defer { _ = hub.terminate() }
        let chromium = try browser("mex")
        let records = try chromium.signIn(try signInLink("auditor@mex.example", participant: "MEX", hub: hub))
        #expect(PageText.element("session", in: records) == "auditor@mex.example, reading as Mexico (MEX)")
        let titles = PageText.rows("records", in: records).map { $0[4] }
        #expect(titles.sorted() == ["Diaspora <bonds>", "Mexican consular ID"], "\(titles)")
        #expect(!records.contains("Confidential PHL position") && !records.contains("Retitled by the secretariat"))

        let published = try chromium.dom(hub.url.appendingPathComponent("records/\(scene.accepted)"))
        #expect(PageText.element("title", in: published) == "Diaspora <bonds>")
        #expect(PageText.element("version", in: published)?.hasPrefix("published") == true)
        #expect(!published.contains("Retitled by the secretariat") && !published.contains("see the draft"))
        let draft = try chromium.dom(hub.url.appendingPathComponent("records/\(scene.draft)"))
        #expect(PageText.element("not-found", in: draft) != nil && !draft.contains("Confidential"))
        let asPublished = try chromium.dom(URL(string: hub.url.absoluteString + "/records/\(scene.draft)?version=published")!)
        #expect(PageText.element("not-found", in: asPublished) != nil)

        let bundles = try chromium.dom(hub.url.appendingPathComponent("bundles"))
        #expect(PageText.rows("bundles-MEX", in: bundles).map { $0[0] } == ["mex-1.gfmd"])
        #expect(!bundles.contains("phl-1.gfmd"))
    }

    @Test("the secretariat's session shows the records, conflicts and history the CLI shows, the bundles by delegation, and verify's verdict")
    func secretariat() throws {
        let scene = try scene()
        let hub = try ServingProcess(hub: "sec", in: cli.directory.url)
        defer { _ = hub.terminate() }
        let chromium = try browser("sec")
        let records = try chromium.signIn(try signInLink("officer@gfmd.example", participant: "SEC", hub: hub))
        let listed = try JSONSerialization.jsonObject(with: Data(try cli.ok("sec", "list", "--json").stdout.utf8)) as? [[String: Any]] ?? []
        #expect(PageText.rows("records", in: records).map { $0[4] }.sorted() == listed.compactMap { $0["title"] as? String }.sorted())

        let conflicted = try chromium.dom(URL(string: hub.url.absoluteString + "/records?conflicts=1")!)
        #expect(PageText.rows("records", in: conflicted).map { $0[4] } == ["Confidential PHL position"])
        let mexOnly = try chromium.dom(URL(string: hub.url.absoluteString + "/records?owner=mex")!)
        #expect(PageText.rows("records", in: mexOnly).map { $0[4] } == ["Mexican consular ID"])

        let page = hub.url.appendingPathComponent("records/\(scene.draft)")
        let draft = try chromium.dom(page)
        #expect(PageText.element("conflicts", in: draft)?.contains("contact") == true)
        let contact = try #require(PageText.rows("fields", in: draft).first { $0[0].hasPrefix("contact") })
        #expect(contact[0] == "contact conflict")
        #expect(contact[1].contains("Desk A Maria Santos, Philippines (PHL)") && contact[1].contains("bundle phl-2.gfmd"), "\(contact)")
        #expect(contact[1].contains("Desk B Ana Lopez, GFMD Secretariat (SEC)"), "\(contact)")
        let logged = try JSONSerialization.jsonObject(with: Data(try cli.ok("sec", "log", scene.draft, "--json").stdout.utf8)) as? [[String: Any]] ?? []
        let history = PageText.rows("history", in: draft)
        #expect(history.map(\.[1]) == logged.compactMap { $0["author"] as? String })
        #expect(history.map(\.[5]) == logged.compactMap { ($0["change"] as? String).map { String($0.prefix(12)) } })

        let accepted = try chromium.dom(hub.url.appendingPathComponent("records/\(scene.accepted)"))
        #expect(PageText.element("title", in: accepted) == "Retitled by the secretariat")
        #expect(PageText.element("version", in: accepted)?.contains("see the published version") == true)
        let published = try chromium.dom(URL(string: hub.url.absoluteString + "/records/\(scene.accepted)?version=published")!)
        #expect(PageText.element("title", in: published) == "Diaspora <bonds>")

        let bundles = try chromium.dom(hub.url.appendingPathComponent("bundles"))
        #expect(PageText.rows("bundles-PHL", in: bundles).map { $0[0] } == ["phl-2.gfmd", "phl-1.gfmd"])
        #expect(PageText.rows("bundles-MEX", in: bundles).map { $0[0] } == ["mex-1.gfmd"])
        let verify = try chromium.dom(hub.url.appendingPathComponent("verify"))
        #expect(PageText.element("verdict", in: verify)?.hasPrefix("Intact") == true)
        #expect(PageText.element("digest", in: verify) == (try cli.digest("sec")))

        let screenshot = cli.directory.path("record-page.png")
        try chromium.open(page)
        try chromium.screenshot(to: screenshot)
        let png = try Data(contentsOf: screenshot)
        #expect(png.count > 10_000 && png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "a PNG of the page")
        // Kept where CI or a developer asks for it.
        if let kept = ProcessInfo.processInfo.environment["GFMD_SCREENSHOTS"] {
            try? FileManager.default.createDirectory(atPath: kept, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(atPath: kept + "/web-record-page.png")
            try FileManager.default.copyItem(at: screenshot, to: URL(fileURLWithPath: kept + "/web-record-page.png"))
        }
    }

    @Test("a sign-in link works once; without a session every page sends to sign-in; removing the account ends its session")
    func signIn() throws {
        _ = try scene()
        let hub = try ServingProcess(hub: "sec", in: cli.directory.url)
        defer { _ = hub.terminate() }
        let link = try signInLink("auditor@mex.example", participant: "MEX", hub: hub)
        let stranger = try browser("stranger")
        #expect(PageText.element("sign-in", in: try stranger.dom(hub.url.appendingPathComponent("records"))) != nil, "no session: the sign-in page")
        let forged = URL(string: hub.url.absoluteString + "/login/" + String(repeating: "ab", count: 32))!
        #expect(PageText.element("refused", in: try stranger.signIn(forged)) != nil)

        // Opening the link (as an e-mail scanner does) does not use it up; its button does.
        let linkPage = try stranger.dom(link)
        let button = try stranger.text("#sign-in-button")
        #expect(PageText.element("sign-in", in: linkPage) == nil && button == "Sign in")
        let auditor = try browser("auditor")
        #expect(PageText.element("session", in: try auditor.signIn(link)) != nil)
        #expect(PageText.element("refused", in: try stranger.signIn(link)) != nil, "the link was used")
        #expect(PageText.element("session", in: try auditor.dom(hub.url.appendingPathComponent("records"))) != nil)

        try cli.ok("sec", "web-user", "remove", "auditor@mex.example")
        #expect(PageText.element("sign-in", in: try auditor.dom(hub.url.appendingPathComponent("records"))) != nil)
        try cli.refused("sec", ["web-user", "add", "two words", "--participant", "MEX"], mentioning: "without spaces")
        try cli.refused("sec", ["web-user", "add", "x@y", "--participant", "XXQ"], mentioning: "not a participant code")
        try cli.refused("mex", ["web-user", "add", "x@y", "--participant", "MEX"], mentioning: "web accounts live on the hub")
    }
}

extension WebPageCLITests {
    @Test("a secretariat account starts the review and accepts from the record's page; the log names it; other accounts and forged forms are refused")
    func review() throws {
        _ = try scene()
        let id = try cli.ok("phl", "new", "practice", "--title", "Remittance corridors").output
        try cli.ok("phl", "submit", id)
        try cli.ok("phl", "bundle", "create", "--to", "SEC", "-o", "phl-3.gfmd")
        try cli.ok("sec", "bundle", "apply", "phl-3.gfmd")
        let full = try #require(try cli.ok("sec", "show", id, "--json").stdout.firstMatch(of: /"id" *: *"([0-9a-f]{32})"/)?.1).description
        let hub = try ServingProcess(hub: "sec", in: cli.directory.url)
        defer { _ = hub.terminate() }
        let page = hub.url.appendingPathComponent("records/\(full)")
        let review = hub.url.appendingPathComponent("records/\(full)/review")
        func logged() throws -> [[String: Any]] {
            try JSONSerialization.jsonObject(with: Data(try cli.ok("sec", "log", id, "--json").stdout.utf8)) as? [[String: Any]] ?? []
        }

        // A MEX account sees no review buttons, and is refused when it posts anyway, with its own session's token.
        let auditor = try browser("mex-review")
        _ = try auditor.signIn(try signInLink("auditor@mex.example", participant: "MEX", hub: hub))
        try auditor.open(hub.url.appendingPathComponent("records"))
        #expect(try auditor.text("#review") == nil)
        let token = try #require(try auditor.value("input[name=csrf]"))
        let refused = try auditor.post(review, ["csrf": token, "action": "start"])
        #expect(refused.status == 403 && refused.text.contains("Only a secretariat account"), "\(refused)")

        let officer = try browser("sec-review")
        _ = try officer.signIn(try signInLink("officer@gfmd.example", participant: "SEC", hub: hub))
        try officer.open(page)
        #expect(try officer.text("#review-start") == "Start the review")
        #expect(try officer.text("#review-accept") == nil, "a submission is accepted only under review")
        // A form without the session's token (another site's) changes nothing.
        let forged = try officer.post(review, ["csrf": String(repeating: "0", count: 64), "action": "start"])
        #expect(forged.status == 403 && forged.text.contains("did not come from this session"), "\(forged)")
        #expect(try logged().count == 2)

        try officer.follow("#review-start")
        #expect(try officer.location() == page.absoluteString)
        try officer.follow("#review-accept")
        #expect(try officer.text("#review") == nil, "an accepted record has nothing left to review")
        #expect(try officer.dom().contains("accepted"))
        let history = try logged()
        #expect(history.count == 4)
        #expect(history.suffix(2).map { $0["author"] as? String } == ["officer@gfmd.example", "officer@gfmd.example"], "\(history)")
        #expect(history.suffix(2).allSatisfy { $0["participant"] as? String == "SEC" })

        // Published: Mexico receives it now.
        try cli.ok("sec", "bundle", "create", "--to", "MEX", "-o", "to-mex.gfmd")
        try cli.ok("mex", "bundle", "apply", "to-mex.gfmd")
        #expect(try cli.ok("mex", "list").stdout.contains("Remittance corridors"))
        let screenshot = cli.directory.path("review-page.png")
        try officer.screenshot(to: screenshot)
        #expect(try Data(contentsOf: screenshot).prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
    }
}

extension WebPageCLITests {
    @Test("the matrix of knowledge gaps on the hub's pages and in gfmd ui: each session sees the gaps it may read, each cell links to its gap")
    func matrix() throws {
        try cli.enrolled("phl", "PHL", author: "Maria Santos")
        try cli.enrolled("mex", "MEX", author: "Luis Garcia")
        let phlGap = try cli.ok("phl", "new", "knowledge_gap", "--title", "Return migration", "--set", "gap=Jobs of returnees", "--add", "proposers=PHL").output
        _ = try cli.ok("mex", "new", "knowledge_gap", "--title", "Return migration", "--set", "gap=Schooling of returnees' children").output
        for replica in ["phl", "mex"] {
            try cli.ok(replica, "bundle", "create", "--to", "SEC", "-o", "\(replica).gfmd")
            try cli.ok("sec", "bundle", "apply", "\(replica).gfmd")
        }
        let hub = try ServingProcess(hub: "sec", in: cli.directory.url)
        defer { _ = hub.terminate() }
        let officer = try browser("sec-matrix")
        _ = try officer.signIn(try signInLink("officer@gfmd.example", participant: "SEC", hub: hub))
        let all = try officer.dom(hub.url.appendingPathComponent("matrix"))
        #expect(PageText.rows("matrix", in: all) == [["Return migration", "Schooling of returnees' children", "Jobs of returnees"]], "\(PageText.rows("matrix", in: all))")
        let auditor = try browser("mex-matrix")
        _ = try auditor.signIn(try signInLink("auditor@mex.example", participant: "MEX", hub: hub))
        let mexOnly = try auditor.dom(hub.url.appendingPathComponent("matrix"))
        #expect(PageText.rows("matrix", in: mexOnly) == [["Return migration", "Schooling of returnees' children"]], "never PHL's draft")

        let ui = try ServingProcess(ui: "phl", in: cli.directory.url)
        defer { _ = ui.terminate() }
        let maria = try browser("phl-matrix")
        try maria.open(ui.url)
        try maria.follow("#nav-matrix")
        try maria.follow("#matrix a")
        #expect(try maria.location().contains("/records/\(phlGap)"))
        #expect(try maria.text("#title") == "Return migration")
    }
}

extension Browser {
    /// Opens a sign-in link and presses the button its page shows; the page it leads to.
    func signIn(_ link: URL) throws -> String {
        try open(link)
        try follow("#sign-in-button")
        return try dom()
    }
}

extension CLI {
    /// Adds a web account on the secretariat's hub and returns its sign-in link on `hub`.
    func signInLink(_ name: String, participant: String, hub: ServingProcess) throws -> URL {
        let printed = try ok("sec", "web-user", "add", name, "--participant", participant, "--hub", hub.url.absoluteString).stdout
        let line = try #require(printed.split(separator: "\n").first { $0.contains("/login/") })
        return try #require(URL(string: line.trimmingCharacters(in: .whitespaces)))
    }
}
