import Foundation
import GFMDTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `gfmd ui` driven in headless Chromium like an officer who never opens a
/// terminal: real `gfmd ui` and `gfmd serve` processes, clicks where the
/// buttons are and typing into the fields.
@Suite("gfmd ui, in headless Chromium")
struct BrowserUICLITests {
    let cli = CLI()

    func browser(_ name: String) throws -> Browser {
        try Browser(profile: cli.directory.path("chromium-\(name)"))
    }

    /// A page's screenshot in the test's folder, copied to `$GFMD_SCREENSHOTS` when set.
    func keepScreenshot(_ browser: Browser, _ name: String) throws {
        let file = cli.directory.path("\(name).png")
        try browser.screenshot(to: file)
        #expect(try Data(contentsOf: file).prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]), "a PNG of \(name)")
        if let kept = ProcessInfo.processInfo.environment["GFMD_SCREENSHOTS"] {
            try FileManager.default.createDirectory(atPath: kept, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(atPath: kept + "/\(name).png")
            try FileManager.default.copyItem(at: file, to: URL(fileURLWithPath: kept + "/\(name).png"))
        }
    }

    /// Syncs from the home page's button; the outcome line.
    func sync(_ browser: Browser, _ ui: ServingProcess, hub: ServingProcess) throws -> String {
        // The address gfmd ui printed: the launch secret opens the session, then the home page.
        try browser.open(ui.url)
        try browser.type(hub.url.absoluteString, into: "#hub-url")
        try browser.follow("#sync")
        return try browser.text("#outcome") ?? ""
    }

    @Test("two officers draft one practice in their browsers and sync through the hub: both paragraphs kept, a conflict settled by a click, Arabic intact, the practice submitted")
    func draftSyncSettleSubmit() throws {
        try cli.enrolled("p1", "PHL", author: "Maria Santos")
        try cli.enrolled("p2", "PHL", author: "Jose Rizal")
        let hub = try ServingProcess(hub: "sec", in: cli.directory.url)
        defer { _ = hub.terminate() }
        let ui1 = try ServingProcess(ui: "p1", in: cli.directory.url)
        defer { _ = ui1.terminate() }
        let ui2 = try ServingProcess(ui: "p2", in: cli.directory.url)
        defer { _ = ui2.terminate() }
        let maria = try browser("maria"), jose = try browser("jose")
        try maria.open(ui1.url)
        #expect(try maria.text("#session")?.contains("Maria Santos") == true)
        try keepScreenshot(maria, "ui-home")

        // Maria creates the practice and fills it in.
        try maria.follow("#nav-records")
        try maria.type("Diaspora bonds", into: "#new-title")
        try maria.follow("#new-create")
        let page = try #require(URL(string: try maria.location()))
        let id = page.lastPathComponent
        try maria.type("Bonds sold to Filipinos abroad.\n\nThey fund infrastructure at home.", into: "#value-summary")
        try maria.follow("#save-summary")
        try maria.type("IOM", into: "#value-partners")
        try maria.follow("#add-partners")
        let arabic = "مكتب شؤون المغتربين، مانيلا"
        try maria.type(arabic, into: "#value-contact")
        try maria.follow("#save-contact")
        #expect(try sync(maria, ui1, hub: hub).contains("In sync with the hub"))

        // Jose receives it, and each edits another paragraph.
        #expect(try sync(jose, ui2, hub: hub).contains("received"))
        try jose.open(ui2.url.deletingQuery.appendingPathComponent("records/\(id)"))
        #expect(try jose.value("#value-contact") == arabic)
        try jose.type("Bonds sold to Filipinos abroad.\n\nThey fund schools and roads at home, says Jose.", into: "#value-summary")
        try jose.follow("#save-summary")
        try maria.open(page)
        try maria.type("Bonds sold to Filipinos abroad since 2021.\n\nThey fund infrastructure at home.", into: "#value-summary")
        try maria.follow("#save-summary")
        // Offline, both retitle it.
        try maria.type("Diaspora bonds 2027", into: "#value-title")
        try maria.follow("#save-title")
        try jose.type("Bonds for the diaspora", into: "#value-title")
        try jose.follow("#save-title")
        for (browser, ui) in [(maria, ui1), (jose, ui2), (maria, ui1)] { _ = try sync(browser, ui, hub: hub) }

        try maria.open(page)
        let merged = "Bonds sold to Filipinos abroad since 2021.\n\nThey fund schools and roads at home, says Jose."
        #expect(try maria.value("#value-summary") == merged)
        try jose.open(ui2.url.deletingQuery.appendingPathComponent("records/\(id)"))
        #expect(try jose.value("#value-summary") == merged)
        let conflict = try #require(try maria.text("#conflict-title"))
        #expect(conflict.contains("Diaspora bonds 2027") && conflict.contains("Maria Santos"), "\(conflict)")
        #expect(conflict.contains("Bonds for the diaspora") && conflict.contains("Jose Rizal"), "\(conflict)")
        try keepScreenshot(maria, "ui-conflict")
        // "Keep this one" on Jose's title: settled here, then everywhere.
        let keep = conflict.components(separatedBy: "Keep this one").firstIndex { $0.contains("Bonds for the diaspora") } ?? 0
        try maria.follow("#keep-title-\(keep)")
        #expect(try maria.text("#conflict-title") == nil)
        #expect(try maria.value("#value-title") == "Bonds for the diaspora")
        for (browser, ui) in [(maria, ui1), (jose, ui2)] { _ = try sync(browser, ui, hub: hub) }
        try jose.open(ui2.url.deletingQuery.appendingPathComponent("records/\(id)"))
        #expect(try jose.text("#conflict-title") == nil)
        #expect(try jose.value("#value-title") == "Bonds for the diaspora")

        // Arabic typed in the browser reads back identical from the command line.
        let shown = try JSONSerialization.jsonObject(with: Data(try cli.ok("p2", "show", id, "--json").stdout.utf8)) as? [String: Any]
        #expect((shown?["fields"] as? [String: Any])?["contact"] as? String == arabic)

        // A refusal is shown next to its field, and changes nothing.
        let before = try cli.digest("p1")
        try maria.open(page)
        try maria.type("next spring", into: "#value-start_date")
        try maria.follow("#save-start_date")
        #expect(try maria.text("#refused-start_date")?.contains("YYYY-MM-DD") == true)
        #expect(try cli.digest("p1") == before)

        // Mexico's officer syncs too, and sees nothing of the draft.
        try cli.enrolled("mx", "MEX", author: "Luis Garcia")
        let uiMex = try ServingProcess(ui: "mx", in: cli.directory.url)
        defer { _ = uiMex.terminate() }
        let luis = try browser("luis")
        #expect(try sync(luis, uiMex, hub: hub).contains("In sync with the hub"))
        try luis.follow("#nav-records")
        #expect(try !luis.dom().contains("Bonds for the diaspora"))

        try maria.open(page)
        try maria.follow("#submit")
        #expect(try maria.text("#withdraw") == "Withdraw")
        #expect(try cli.ok("p1", "show", id).stdout.contains("submitted"))
        _ = try sync(maria, ui1, hub: hub)

        // The secretariat accepts on the hub's page; the log names the account; Mexico then receives the published version.
        let officer = try browser("officer")
        _ = try officer.signIn(try cli.signInLink("officer@gfmd.example", participant: "SEC", hub: hub))
        try officer.open(hub.url.appendingPathComponent("records/\(id)"))
        try officer.follow("#review-start")
        try officer.follow("#review-accept")
        let log = try JSONSerialization.jsonObject(with: Data(try cli.ok("sec", "log", id, "--json").stdout.utf8)) as? [[String: Any]] ?? []
        #expect(log.last?["author"] as? String == "officer@gfmd.example")
        _ = try sync(luis, uiMex, hub: hub)
        try luis.follow("#nav-records")
        let listed = PageText.rows("records", in: try luis.dom())
        #expect(listed.map { $0[4] } == ["Bonds for the diaspora"] && listed.first?[3].contains("accepted") == true, "\(listed)")
    }

    @Test("a bundle downloaded from one gfmd ui applies in another; a damaged one is refused with its reason; requests without the session, with a forged form or for another host change nothing")
    func bundlesAndRefusals() throws {
        try cli.enrolled("p1", "PHL", author: "Maria Santos")
        try cli.enrolled("p2", "PHL", author: "Jose Rizal")
        try cli.introduce(["p1", "p2"], of: "PHL")
        let id = try cli.ok("p1", "new", "practice", "--title", "Remittance corridors").output
        let ui1 = try ServingProcess(ui: "p1", in: cli.directory.url)
        defer { _ = ui1.terminate() }
        let ui2 = try ServingProcess(ui: "p2", in: cli.directory.url)
        defer { _ = ui2.terminate() }
        let maria = try browser("maria"), jose = try browser("jose")
        try maria.open(ui1.url)
        try maria.type("PHL", into: "#bundle-to")
        let file = try maria.download("#bundle-create", into: cli.directory.path("downloads"))
        #expect(file.lastPathComponent.hasSuffix(".gfmd"))

        try jose.open(ui2.url)
        let damaged = cli.directory.path("damaged.gfmd")
        var bytes = try Data(contentsOf: file)
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: damaged)
        let before = try cli.digest("p2")
        try jose.choose([damaged], for: "#bundle-files")
        try jose.follow("#bundle-apply")
        let refusal = try jose.text("#outcome") ?? ""
        #expect(refusal.contains("damaged.gfmd: refused"), "\(refusal)")
        #expect(try cli.digest("p2") == before)
        try jose.choose([file], for: "#bundle-files")
        try jose.follow("#bundle-apply")
        let applied = try jose.text("#outcome") ?? ""
        #expect(applied.contains("new change"), "\(applied)")
        #expect(try cli.ok("p2", "list").stdout.contains("Remittance corridors"))
        #expect(try cli.digest("p2") == (try cli.digest("p1")))

        // Refused, nothing changed: no session cookie, another host's name, a form without this session's token.
        let held = try cli.digest("p2")
        let full = try #require(try cli.ok("p2", "show", id, "--json").stdout.firstMatch(of: /"id" *: *"([0-9a-f]{32})"/)?.1).description
        let page = ui2.url.deletingQuery.appendingPathComponent("records/\(full)")
        let port = ui2.port, path = page.path
        #expect(try Self.status(port: port, """
            POST \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 13\r\nConnection: close\r\n\r\naction=delete
            """) == 403, "no session cookie")
        #expect(try Self.status(port: port, """
            GET \(ui2.url.path)?\(ui2.url.query ?? "") HTTP/1.1\r\nHost: attacker.example:\(port)\r\nConnection: close\r\n\r\n
            """) == 403, "a name rebound to 127.0.0.1, even with the launch secret")
        try jose.open(page)
        let token = try #require(try jose.value("input[name=csrf]"))
        let huge = try jose.post(page, ["csrf": token, "action": "set", "field": "summary", "value": String(repeating: "x", count: 17 << 20)])
        #expect(huge.status == 413 && huge.text.contains("larger than 16 MiB"), "\(huge.status)")
        let forged = try jose.post(page, ["csrf": String(repeating: "0", count: 64), "action": "delete"])
        #expect(forged.status == 403 && forged.text.contains("did not come from"), "\(forged)")
        #expect(try cli.digest("p2") == held)
    }

    @Test("a list is edited item by item: items typed in their boxes, one changed, one emptied (removed), one added")
    func listItems() throws {
        try cli.enrolled("p1", "PHL", author: "Maria Santos")
        let id = try cli.ok("p1", "new", "background_paper", "--title", "RT 2.1 Labour mobility").output
        let ui = try ServingProcess(ui: "p1", in: cli.directory.url)
        defer { _ = ui.terminate() }
        let maria = try browser("maria")
        try maria.open(ui.url)
        try maria.follow("#nav-records")
        try maria.follow("#records a")
        #expect(try maria.location().contains(id))
        try maria.type("Introduction", into: "#item-sections-0")
        try maria.follow("#save-sections")
        try maria.type("Skills partnerships", into: "#item-sections-1")
        try maria.follow("#save-sections")
        try maria.type("Context", into: "#item-sections-0")
        try maria.type("Recognition of qualifications", into: "#item-sections-2")
        try maria.follow("#save-sections")
        try maria.type("", into: "#item-sections-1")
        try maria.follow("#save-sections")
        let shown = try JSONSerialization.jsonObject(with: Data(try cli.ok("p1", "show", id, "--json").stdout.utf8)) as? [String: Any]
        #expect((shown?["fields"] as? [String: Any])?["sections"] as? [String] == ["Context", "Recognition of qualifications"], "\(shown ?? [:])")
    }

    /// The status line's code of the HTTP/1.1 request `text` sent to 127.0.0.1:`port` as written.
    static func status(port: Int, _ text: String) throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw BrowserError("cannot connect to 127.0.0.1:\(port)") }
        let bytes = Array(text.utf8)
        guard send(socket, bytes, bytes.count, 0) == bytes.count else { throw BrowserError("cannot send the request") }
        var reply = [UInt8](repeating: 0, count: 4096)
        let count = recv(socket, &reply, reply.count, 0)
        let line = String(decoding: reply.prefix(max(0, count)), as: UTF8.self).prefix { $0 != "\r" }
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
    }
}

extension URL {
    /// The address without its query (the launch secret is needed once).
    var deletingQuery: URL {
        var components = URLComponents(url: self, resolvingAgainstBaseURL: false)!
        components.query = nil
        return components.url!
    }
}
