import AsyncHTTPClient
import Foundation
import GFMDCore
import GFMDReplica
import GFMDSync
import GFMDTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// The hub's web pages over real HTTP, below the browser: sessions, paging,
/// escaping and the headers every page carries.
@Suite("The hub's web pages over HTTP")
struct WebPagesTests {
    /// Requests that do not follow redirections, so that a sign-in's cookie is seen.
    struct Browser {
        let hub: URL
        var cookie: String?

        func get(_ target: String, method: HTTPMethod = .GET) async throws -> (status: Int, headers: HTTPHeaders, body: String) {
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup,
                                    configuration: .init(redirectConfiguration: .disallow))
            let result = await Result(catching: {
                var request = HTTPClientRequest(url: hub.absoluteString + target)
                request.method = method
                if let cookie { request.headers.add(name: "Cookie", value: cookie) }
                let response = try await client.execute(request, timeout: .seconds(60))
                let body = try await response.body.collect(upTo: 1 << 24)
                return (Int(response.status.code), response.headers, String(buffer: body))
            })
            try await client.shutdown()
            return try result.get()
        }

        /// Opens the sign-in link, presses its button (a POST to it) and keeps the session cookie.
        mutating func signIn(_ link: SignInLink) async throws {
            let page = try await get(link.path)
            #expect(page.status == 200 && page.body.contains("id=\"sign-in-button\""), "opening the link does not use it up")
            let answer = try await get(link.path, method: .POST)
            #expect(answer.status == 303 && answer.headers["Location"] == ["/records"])
            let setCookie = try #require(answer.headers["Set-Cookie"].first)
            #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && setCookie.contains("Max-Age=28800"))
            cookie = String(setCookie.prefix { $0 != ";" })
        }
    }

    @Test("a hub restarted forgets neither its web sessions nor the signed requests of the last five minutes: a session goes on, a replay is refused; removing the account ends its sessions")
    func restart() async throws {
        let fixture = ReplicaFixture()
        var harness = try await HubHarness(fixture: fixture)
        var browser = Browser(hub: harness.url)
        try await browser.signIn(try fixture.root.addWebAccount("officer@gfmd.example", participant: .secretariat))
        var auditor = Browser(hub: harness.url)
        try await auditor.signIn(try fixture.root.addWebAccount("auditor@gfmd.example", participant: ParticipantCode("MEX")!))
        let laptop = try fixture.replica("laptop")
        _ = try laptop.createRecord(type: "practice", title: "Diaspora bonds")
        let push = try laptop.createBundle(for: .secretariat, sealed: false).bytes
        let signed = try laptop.signedRequest(method: "POST", target: "/v1/sync", body: push)
        let headers = signed.headers.map { ($0.name, $0.value) }
        #expect(try await harness.raw(headers: headers, body: push).status == 200)
        await harness.stop()

        harness = try await HubHarness(fixture: fixture)
        let replayed = try await harness.raw(headers: headers, body: push)
        #expect(replayed.status == 401 && replayed.code == "replayed", "\(replayed.status) \(replayed.message)")
        browser = Browser(hub: harness.url, cookie: browser.cookie)
        let records = try await browser.get("/records")
        #expect(records.status == 200 && records.body.contains("Diaspora bonds"), "the session survived the restart")
        #expect(try fixture.root.removeWebAccount("auditor@gfmd.example"))
        auditor = Browser(hub: harness.url, cookie: auditor.cookie)
        let removed = try await auditor.get("/records")
        #expect(removed.status == 303 && removed.headers["Location"] == ["/login"], "a removed account's session ends")
        await harness.stop()
    }

    @Test("205 records list in two pages of 200; titles are escaped; pages are neither cached nor framed; no session, no page")
    func pagesAndEscaping() async throws {
        let harness = try await HubHarness()
        let hub = harness.fixture.root
        var generator = SystemRandomNumberGenerator()
        _ = try hub.commit((0..<205).map { index in
            RecordEdits(.new(id: .random(using: &generator), type: "practice", title: index == 0 ? "<script>alert(1)</script>" : "Practice \(index)"), [])
        })
        var browser = Browser(hub: harness.url)
        let signedOut = try await browser.get("/records")
        #expect(signedOut.status == 303 && signedOut.headers["Location"] == ["/login"])

        try await browser.signIn(try hub.addWebAccount("officer@gfmd.example", participant: .secretariat))
        let first = try await browser.get("/records")
        #expect(first.status == 200 && first.body.contains("205 records, page 1 of 2"))
        #expect(first.body.components(separatedBy: "<tr><td>").count - 1 == 200)
        #expect(first.body.contains("id=\"page-next\"") && !first.body.contains("id=\"page-previous\""))
        #expect(first.headers["Cache-Control"] == ["no-store"] && first.headers["Content-Security-Policy"].first?.contains("frame-ancestors 'none'") == true)
        let second = try await browser.get("/records?page=2")
        #expect(second.body.contains("page 2 of 2") && second.body.components(separatedBy: "<tr><td>").count - 1 == 5)
        let all = first.body + second.body
        #expect(all.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !all.contains("<script>"))

        let unknown = try await browser.get("/records/" + String(repeating: "0", count: 32))
        #expect(unknown.status == 404 && unknown.body.contains("id=\"not-found\""))
        let malformed = try await browser.get("/records/%3Cscript%3E")
        #expect(malformed.status == 404)
        var stranger = Browser(hub: harness.url, cookie: "gfmd_session=" + String(repeating: "ab", count: 32))
        #expect(try await stranger.get("/records").status == 303)
        stranger.cookie = "gfmd_session=not-a-token"
        #expect(try await stranger.get("/verify").status == 303)
        await harness.stop()
    }
}
