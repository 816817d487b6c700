import Dispatch
import Foundation
import GFMDCore
import GFMDReplica
import GFMDStore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The hub's web pages for the secretariat and auditors (README, "The hub's
/// web pages"): read-only, server-rendered, behind a sign-in link made with
/// `gfmd web-user`, each session seeing what its account's participant may
/// read (`Protocol/trust.md`, "Visibility").
struct WebSite: Sendable {
    static let cookie = "gfmd_session"

    let replica: Replica
    let sessions: WebSessions
    /// Whether the hub serves TLS (the session cookie is then Secure).
    let secure: Bool
    let logger: Logger
    private let queue = DispatchQueue(label: "gfmd.web", qos: .userInitiated, attributes: .concurrent)

    init(replica: Replica, secure: Bool, logger: Logger) {
        self.replica = replica
        sessions = WebSessions(replica: replica)
        self.secure = secure
        self.logger = logger
    }

    /// Adds the pages' routes to `router`.
    func register(on router: Router<BasicRequestContext>) {
        router.get("/") { request, _ in
            await account(of: request) == nil ? Self.redirect("/login") : Self.redirect("/records")
        }
        router.get("/login") { _, _ in
            Self.html(200, HTML.page(title: "Sign in", account: nil, body: """
                <h1>Sign in</h1>
                <p id="sign-in">Open the sign-in link the secretariat sent you. A link works once, for a day;
                the secretariat makes a new one with <code>gfmd web-user link NAME</code> on the hub.</p>
                """))
        }
        router.get("/login/{secret}") { _, context in
            let secret = context.parameters.get("secret") ?? ""
            guard let account = try await blocking({ try replica.redeemSignInLink(secret) }) else {
                return Self.html(403, HTML.page(title: "Sign in", account: nil, body: """
                    <h1>This sign-in link does not work</h1>
                    <p id="refused">It is unknown, already used or expired. Ask the secretariat for a new one.</p>
                    """))
            }
            let sessions = sessions
            let token = try await blocking { try sessions.open(for: account) }
            logger.info("web sign-in", metadata: ["account": "\(account.name)", "participant": "\(account.participant)"])
            var response = Self.redirect("/records")
            let maxAge = Int(WebSessions.lifetime.components.seconds)
            response.headers[values: .setCookie].append(
                "\(Self.cookie)=\(token); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict\(secure ? "; Secure" : "")")
            return response
        }
        router.post("/logout") { request, _ in
            if let token = Self.token(of: request) {
                let sessions = sessions
                try await blocking { try sessions.close(token) }
            }
            var response = Self.redirect("/login")
            response.headers[values: .setCookie].append("\(Self.cookie)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict\(secure ? "; Secure" : "")")
            return response
        }
        router.get("/records") { request, _ in
            try await page(request, title: "Records") { pages in
                let query = request.uri.queryParameters
                func value(_ name: String) -> String? { query.get(name).flatMap { $0.isEmpty ? nil : $0 } }
                let filters = RecordPages.Filters(type: value("type"), owner: value("owner")?.uppercased(), status: value("status"),
                                                  conflictsOnly: value("conflicts") != nil, page: value("page").flatMap(Int.init) ?? 1)
                return try pages.records.list(filters)
            }
        }
        router.get("/records/{id}") { request, context in
            let id = context.parameters.get("id") ?? ""
            let published = request.uri.queryParameters.get("version") == "published"
            return try await page(request, title: "Record") { pages in
                try pages.records.record(id, publishedVersion: published)
            }
        }
        router.get("/bundles") { request, _ in
            try await page(request, title: "Bundles") { try $0.ledger.bundles() }
        }
        router.get("/verify") { request, _ in
            try await page(request, title: "Verify") { try $0.ledger.verify() }
        }
    }

    /// The pages a session may see.
    struct Pages {
        let records: RecordPages
        let ledger: LedgerPages
    }

    /// What a page request comes to.
    private enum Outcome: Sendable {
        case page(String)
        case notFound
        case signedOut
    }

    /// A page for a signed-in session: `body` renders it (nil: not found);
    /// without a session, a redirection to the sign-in page.
    private func page(_ request: Request, title: String, _ body: @escaping @Sendable (Pages) throws -> String?) async throws -> Response {
        guard let account = await account(of: request) else { return Self.redirect("/login") }
        let replica = self.replica
        let outcome = try await blocking { () -> Outcome in
            // An account removed since its sign-in ends its sessions.
            guard try replica.webAccounts().contains(account) else { return .signedOut }
            let scope = try replica.scope(for: account.participant)
            return try body(Pages(records: RecordPages(replica: replica, scope: scope), ledger: LedgerPages(replica: replica, scope: scope)))
                .map(Outcome.page) ?? .notFound
        }
        let signedIn = (account.name, account.participant)
        switch outcome {
        case .page(let body):
            return Self.html(200, HTML.page(title: title, account: signedIn, body: body))
        case .notFound:
            return Self.html(404, HTML.page(title: "Not found", account: signedIn, body: """
                <h1>Not found</h1><p id="not-found">There is no such record here for \(HTML.participant(account.participant)).</p>
                """))
        case .signedOut:
            let sessions = sessions, token = Self.token(of: request) ?? ""
            try await blocking { try sessions.close(token) }
            return Self.redirect("/login")
        }
    }

    private func account(of request: Request) async -> WebAccount? {
        guard let token = Self.token(of: request) else { return nil }
        let sessions = sessions
        return try? await blocking { try sessions.account(for: token) }
    }

    private func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await BlockingWork.run(on: queue, work)
    }

    /// The session token of the request's cookie, when it has the shape of one.
    private static func token(of request: Request) -> String? {
        guard let value = request.cookies[cookie]?.value, value.utf8.count == 64, value.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            return nil
        }
        return value
    }

    private static func redirect(_ location: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        headers[.cacheControl] = "no-store"
        return Response(status: .seeOther, headers: headers)
    }

    /// An HTML page with headers that keep it from being framed, cached or sniffed.
    private static func html(_ status: Int, _ page: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: page)))
    }
}
