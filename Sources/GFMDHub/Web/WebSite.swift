import Dispatch
import Foundation
import GFMDCore
import GFMDReplica
import GFMDWeb
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The hub's web pages for the secretariat and auditors (README, "The hub's
/// web pages"): server-rendered, behind a sign-in link made with `gfmd
/// web-user`, each session seeing what its account's participant may read
/// (`Protocol/trust.md`, "Visibility"). A secretariat account also reviews
/// submissions from a record's page: the hub signs the change with its site
/// key, naming the account as its author. Every form carries the session's
/// CSRF token; a sign-in link is used up only by the form its page shows, so
/// that an e-mail scanner opening the link does not spend it.
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
            await account(of: request) == nil ? WebResponse.redirect("/login") : WebResponse.redirect("/records")
        }
        router.get("/login") { _, _ in
            WebResponse.html(200, Self.page(title: "Sign in", account: nil, body: """
                <h1>Sign in</h1>
                <p id="sign-in">Open the sign-in link the secretariat sent you. A link works once, for a day;
                the secretariat makes a new one with <code>gfmd web-user link NAME</code> on the hub.</p>
                """))
        }
        router.get("/login/{secret}") { _, context in
            let secret = HTML.escape(context.parameters.get("secret") ?? "")
            return WebResponse.html(200, Self.page(title: "Sign in", account: nil, body: """
                <h1>Sign in to the gfmd hub</h1>
                <form method="post" action="/login/\(secret)"><button type="submit" id="sign-in-button">Sign in</button></form>
                <p>The link works once: this button uses it.</p>
                """))
        }
        router.post("/login/{secret}") { _, context in
            let secret = context.parameters.get("secret") ?? ""
            guard let account = try await blocking({ try replica.redeemSignInLink(secret) }) else {
                return WebResponse.html(403, Self.page(title: "Sign in", account: nil, body: """
                    <h1>This sign-in link does not work</h1>
                    <p id="refused">It is unknown, already used or expired. Ask the secretariat for a new one.</p>
                    """))
            }
            let sessions = sessions
            let token = try await blocking { try sessions.open(for: account) }
            logger.info("web sign-in", metadata: ["account": "\(account.name)", "participant": "\(account.participant)"])
            var response = WebResponse.redirect("/records")
            let maxAge = Int(WebSessions.lifetime.components.seconds)
            response.headers[values: .setCookie].append(
                "\(Self.cookie)=\(token); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict\(secure ? "; Secure" : "")")
            return response
        }
        router.post("/logout") { request, _ in
            if let token = Self.token(of: request), let form = try await Self.form(of: request), form["csrf"] == Self.csrf(for: token) {
                let sessions = sessions
                try await blocking { try sessions.close(token) }
            }
            var response = WebResponse.redirect("/login")
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
        router.post("/records/{id}/review") { request, context in
            try await review(request, record: context.parameters.get("id") ?? "")
        }
        router.get("/matrix") { request, _ in
            let published = request.uri.queryParameters.get("version") == "published"
            return try await page(request, title: "Matrix of knowledge gaps") { try $0.matrix.html(publishedOnly: published) }
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
        let matrix: MatrixPage
    }

    /// The CSRF token of the session `token`: its forms carry it, and a
    /// form posted without it (from another site) is refused. Derived from
    /// the session's secret, so it needs no storage and ends with the session.
    static func csrf(for token: String) -> String {
        Hash256.of(Array("gfmd web form \(token)".utf8)).hex
    }

    /// The fields of the form `request` posts; nil when it is not one.
    private static func form(of request: Request) async throws -> FormBody? {
        // A form larger than any of the pages' is no form of theirs.
        guard let buffer = try? await request.body.collect(upTo: FormBody.limit) else { return nil }
        return FormBody(Array(buffer: buffer))
    }

    /// `POST /records/ID/review`: a secretariat account starts the review
    /// of a submission, accepts it or returns it with a note. The hub makes
    /// the change, signed with its key, with the account as its author.
    private func review(_ request: Request, record: String) async throws -> Response {
        guard let token = Self.token(of: request), let account = await account(of: request) else { return WebResponse.redirect("/login") }
        guard let form = try await Self.form(of: request), form["csrf"] == Self.csrf(for: token) else {
            return WebResponse.html(403, Self.page(title: "Refused", account: (account.name, account.participant), csrf: Self.csrf(for: token), body: """
                <h1>Refused</h1><p id="refused">This form did not come from this session's page: open the record again and use its buttons.</p>
                """))
        }
        guard account.participant == ParticipantCode.secretariat.rawValue else {
            return WebResponse.html(403, Self.page(title: "Refused", account: (account.name, account.participant), csrf: Self.csrf(for: token), body: """
                <h1>Refused</h1><p id="refused">Only a secretariat account reviews submissions.</p>
                """))
        }
        let target: WorkflowState? = switch form["action"] {
        case "start": .underReview
        case "accept": .accepted
        case "return": .returned
        default: nil
        }
        guard let target, record.utf8.count == 32, RecordID(hex: record.lowercased()) != nil else {
            return WebResponse.html(400, Self.page(title: "Refused", account: (account.name, account.participant), csrf: Self.csrf(for: token), body: """
                <h1>Refused</h1><p id="refused">The form names no review action on a record.</p>
                """))
        }
        let note = form["note"].flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
        let replica = self.replica, logger = self.logger
        let refusal = try await blocking { () -> String? in
            // An account removed since its sign-in ends its sessions.
            guard try replica.webAccounts().contains(account) else { return "" }
            do {
                if target == .returned && note == nil { return "Say why it is returned: write a note for its owner." }
                let change = try replica.transition(record, to: target, note: target == .returned ? note : nil, author: account.name)
                logger.info("web review", metadata: ["account": "\(account.name)", "record": "\(record)", "to": "\(target.rawValue)", "change": "\(change.short)"])
                return nil
            } catch let error as any CustomStringConvertible {
                return error.description
            }
        }
        guard let refusal else { return WebResponse.redirect("/records/\(record.lowercased())") }
        if refusal.isEmpty { return WebResponse.redirect("/login") }
        let csrf = Self.csrf(for: token)
        let body = try await blocking {
            try RecordPages(replica: replica, scope: try replica.scope(for: account.participant), reviewer: ReviewForm(csrf: csrf, refusal: refusal))
                .record(record, publishedVersion: false)
        } ?? "<h1>Not found</h1>"
        return WebResponse.html(409, Self.page(title: "Record", account: (account.name, account.participant), csrf: csrf, body: body))
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
        guard let token = Self.token(of: request), let account = await account(of: request) else { return WebResponse.redirect("/login") }
        let replica = self.replica
        let csrf = Self.csrf(for: token)
        let reviewer = account.participant == ParticipantCode.secretariat.rawValue ? ReviewForm(csrf: csrf, refusal: nil) : nil
        let outcome = try await blocking { () -> Outcome in
            // An account removed since its sign-in ends its sessions.
            guard try replica.webAccounts().contains(account) else { return .signedOut }
            let scope = try replica.scope(for: account.participant)
            return try body(Pages(records: RecordPages(replica: replica, scope: scope, reviewer: reviewer), ledger: LedgerPages(replica: replica, scope: scope),
                                  matrix: MatrixPage(replica: replica, scope: scope)))
                .map(Outcome.page) ?? .notFound
        }
        let signedIn = (account.name, account.participant)
        switch outcome {
        case .page(let body):
            return WebResponse.html(200, Self.page(title: title, account: signedIn, csrf: csrf, body: body))
        case .notFound:
            return WebResponse.html(404, Self.page(title: "Not found", account: signedIn, csrf: csrf, body: """
                <h1>Not found</h1><p id="not-found">There is no such record here for \(HTML.participant(account.participant)).</p>
                """))
        case .signedOut:
            let sessions = sessions, token = Self.token(of: request) ?? ""
            try await blocking { try sessions.close(token) }
            return WebResponse.redirect("/login")
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

    /// A page of the hub: its navigation, who is signed in (with the
    /// session's CSRF token for its sign-out form), and `body`.
    static func page(title: String, account: (name: String, participant: String)?, csrf: String? = nil, body: String) -> String {
        let header = account.map { account in
            """
            <nav><a href="/records">Records</a> <a href="/matrix">Matrix</a> <a href="/bundles">Bundles</a> <a href="/verify">Verify</a></nav>
            <span id="session">\(HTML.escape(account.name)), reading as \(HTML.participant(account.participant))</span>
            <form method="post" action="/logout">\(csrf.map(HTML.csrfField) ?? "")<button type="submit" id="sign-out">Sign out</button></form>
            """
        } ?? ""
        return HTML.page(title: title, brand: "gfmd hub", header: header, body: body)
    }
}
