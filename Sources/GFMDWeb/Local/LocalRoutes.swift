import Foundation
import GFMDCore
import GFMDHubClient
import GFMDReplica
import HTTPTypes
import Hummingbird
import NIOCore

/// The routes of `gfmd ui`. Pages are GETs; every change is a form POSTed
/// with the session's CSRF token, answered by a redirection to the page to
/// show next, or by the page again with the refusal next to what caused it.
struct LocalRoutes {
    let ui: LocalUI

    /// The largest form a page posts: a long text's whole content.
    static let formLimit = 16 << 20
    /// The most bundle bytes one upload may carry.
    static let uploadLimit = 256 << 20

    func register(on router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in
            try await page { try $0.home() }
        }
        router.get("/records") { request, _ in
            let query = request.uri.queryParameters
            func value(_ name: String) -> String? { query.get(name).flatMap { $0.isEmpty ? nil : $0 } }
            let filters = RecordPages.Filters(type: value("type"), owner: value("owner")?.uppercased(), status: value("status"),
                                              conflictsOnly: value("conflicts") != nil, page: value("page").flatMap(Int.init) ?? 1)
            return try await page { pages in
                let list = try RecordPages(replica: ui.replica, scope: try ui.scope()).list(filters)
                return pages.records(filters, list: list)
            }
        }
        router.get("/matrix") { request, _ in
            let published = request.uri.queryParameters.get("version") == "published"
            return try await page { pages in
                pages.page("Matrix of knowledge gaps", try MatrixPage(replica: ui.replica, scope: try ui.scope())
                    .html(publishedOnly: published))
            }
        }
        router.get("/records/{id}") { _, context in
            let id = context.parameters.get("id") ?? ""
            return try await record(id, refusal: nil, status: 200)
        }
        router.post("/records/new") { request, _ in
            guard let form = try await form(of: request) else { return Self.forged() }
            let replica = ui.replica
            do {
                let id = try await ui.blocking {
                    try replica.createRecord(type: form["type"] ?? "", title: form["title"] ?? "")
                }
                return WebResponse.redirect("/records/\(id.hex)")
            } catch {
                return try await page(status: 422) { pages in
                    let list = try RecordPages(replica: replica, scope: try ui.scope()).list(.init())
                    return pages.records(.init(), list: "<p class=\"refusal\" id=\"refused-new\">\(HTML.escape("\(error)"))</p>" + list)
                }
            }
        }
        router.post("/records/{id}") { request, context in
            try await edit(request, record: context.parameters.get("id") ?? "")
        }
        router.post("/sync") { request, _ in
            guard let form = try await form(of: request) else { return Self.forged() }
            return try await sync(form["url"] ?? "")
        }
        router.post("/bundles/create") { request, _ in
            guard let form = try await form(of: request) else { return Self.forged() }
            return try await createBundle(for: form["to"] ?? "")
        }
        router.post("/bundles/apply") { request, _ in
            try await applyBundles(request)
        }
    }

    // MARK: Pages

    private func page(status: Int = 200, _ body: @escaping @Sendable (LocalPages) throws -> String) async throws -> Response {
        let pages = LocalPages(replica: ui.replica, csrf: ui.csrf)
        return WebResponse.html(status, try await ui.blocking { try body(pages) })
    }

    private func record(_ id: String, refusal: (field: String?, message: String)?, status: Int) async throws -> Response {
        let replica = ui.replica, csrf = ui.csrf
        let body = try await ui.blocking { () -> String? in
            let pages = LocalPages(replica: replica, csrf: csrf)
            let view = RecordPages(replica: replica, scope: try ui.scope(),
                                   editor: { try pages.editor($0, refusal: refusal) })
            return try view.record(id, publishedVersion: false).map { pages.page("Record", $0) }
        }
        guard let body else {
            return WebResponse.html(404, LocalPages(replica: replica, csrf: csrf).page("Not found", "<h1>Not found</h1><p id=\"not-found\">No record here has this id.</p>"))
        }
        return WebResponse.html(status, body)
    }

    // MARK: Forms

    /// The form `request` posts, when it carries this session's CSRF token.
    /// - Throws: ``TooLarge`` when it is larger than `limit` bytes.
    private func form(of request: Request, limit: Int = LocalRoutes.formLimit) async throws -> FormBody? {
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: limit) } catch is NIOTooManyBytesError { throw TooLarge(limit: limit) }
        guard let form = FormBody(Array(buffer: body)), form["csrf"] == ui.csrf else { return nil }
        return form
    }

    /// A form or an upload larger than the pages take.
    struct TooLarge: Error {
        let limit: Int
        var page: Response {
            WebResponse.html(413, LocalPages.refusal("What was sent is larger than \(limit >> 20) MiB, more than these pages take: nothing was changed. "
                + "For a larger text or bundle, use the command line (gfmd write --file, gfmd bundle apply)."))
        }
    }

    private static func forged() -> Response {
        WebResponse.html(403, LocalPages.refusal("This form did not come from this gfmd ui's pages: nothing was changed. Open the page again and use its buttons."))
    }

    /// `POST /records/ID`: one edit of a record, as its form says.
    private func edit(_ request: Request, record id: String) async throws -> Response {
        guard let form = try await form(of: request) else { return Self.forged() }
        let field = form["field"]
        let value = form["value"] ?? ""
        let edits: [Edit]?
        let target: WorkflowState? = switch form["action"] {
        case "submit": .submitted
        case "withdraw": .withdrawn
        default: nil
        }
        switch form["action"] {
        case "set": edits = field.map { [.set(field: $0, value: value)] }
        case "add": edits = field.map { [.add(field: $0, value: value)] }
        case "remove": edits = field.map { [.remove(field: $0, value: value)] }
        case "resolve": edits = field.map { [.resolve(field: $0, value: value)] }
        case "items": edits = field.map { [.writeItems(field: $0, items: form.all("item").filter { !$0.isEmpty })] }
        case "delete": edits = [.delete]
        case "restore": edits = [.restore]
        case "submit", "withdraw": edits = []
        default: edits = nil
        }
        guard let edits else { return try await record(id, refusal: (nil, "The form names no edit."), status: 400) }
        let replica = ui.replica
        do {
            _ = try await ui.blocking {
                if let target { try replica.transition(id, to: target) } else { try replica.edit(id, edits) }
            }
        } catch {
            return try await record(id, refusal: (target == nil ? field : nil, "\(error)"), status: 422)
        }
        // Back to the record's page, at the field saved (both as typed in a URL: hex digits, a field's letters).
        let anchor = field.flatMap { $0.addingPercentEncoding(withAllowedCharacters: CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "_.-"))) }
            .map { "#field-\($0)" } ?? ""
        return WebResponse.redirect("/records/\(String(id.filter(\.isHexDigit)))" + anchor)
    }

    /// `POST /sync`: one sync with the hub at `address`, as `gfmd sync` makes it; the home page with its outcome.
    private func sync(_ address: String) async throws -> Response {
        guard let url = URL(string: address), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
            return try await page(status: 422) { try $0.home(errors: ["\"\(address)\" is not a hub address: give http://HOST:PORT or https://HOST:PORT"]) }
        }
        let replica = ui.replica
        let outcome: Result<String, any Error>
        do {
            let client = try HubClient(url: url, ca: ui.ca)
            do {
                // A page waits a minute at most for a busy hub: the officer sees why, and presses Sync again.
                let report = try await client.sync(replica, attempts: 2, patience: 60_000)
                try await client.shutdown()
                var line = "In sync with the hub (site \(report.hub.site.short), \(report.hub.participant)): pushed \(report.sent) change\(report.sent == 1 ? "" : "s"), received \(report.received) new change\(report.received == 1 ? "" : "s")."
                if report.copyNotice != nil {
                    line += " Warning: this laptop's site is in use on another computer too (its folder was copied): see `gfmd status`, and run `gfmd rekey` on one of the two."
                }
                outcome = .success(line)
            } catch {
                try await client.shutdown()
                throw error
            }
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success(let line): return try await page { try $0.home(notes: [line]) }
        case .failure(let error): return try await page(status: 502) { try $0.home(errors: ["The sync failed: \(error)"]) }
        }
    }

    /// `POST /bundles/create`: a bundle for a participant, downloaded as a file.
    private func createBundle(for code: String) async throws -> Response {
        guard let participant = ParticipantCode(code.uppercased()) else {
            return try await page(status: 422) { try $0.home(errors: ["\"\(code)\" is not a participant code: use e.g. SEC, PHL or IOM"]) }
        }
        let replica = ui.replica
        let bundle = try await ui.blocking { try replica.createBundle(for: participant) }
        let name = "\(replica.identity.participant)-to-\(participant.rawValue)-\(replica.siteID.short).gfmd"
        var headers = HTTPFields()
        headers[.contentType] = "application/octet-stream"
        headers[.contentDisposition] = "attachment; filename=\"\(name)\""
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bundle.bytes)))
    }

    /// `POST /bundles/apply`: each uploaded file applied in turn, as `gfmd bundle apply` does.
    private func applyBundles(_ request: Request) async throws -> Response {
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: Self.uploadLimit) } catch is NIOTooManyBytesError { return TooLarge(limit: Self.uploadLimit).page }
        guard let form = MultipartForm(Array(buffer: body), contentType: request.headers[.contentType] ?? ""),
              form.parts.filter({ $0.name == "csrf" }).map({ String(decoding: $0.bytes, as: UTF8.self) }) == [ui.csrf] else {
            return Self.forged()
        }
        let files = form.parts.filter { $0.name == "bundle" && !($0.fileName ?? "").isEmpty }
        guard !files.isEmpty else { return try await page(status: 422) { try $0.home(errors: ["Choose one or more bundle files to apply."]) } }
        let replica = ui.replica
        let (notes, errors) = try await ui.blocking { () -> ([String], [String]) in
            var notes: [String] = [], errors: [String] = []
            let named = files.map { (bytes: $0.bytes, name: $0.fileName ?? "bundle") }
            replica.applyBundles(named.count, read: { (named[$0].bytes, named[$0].name) }) { index, result in
                switch result {
                case .success(let outcome): notes.append(outcome.summary(of: named[index].name, conflicts: "see Records, with a conflict"))
                case .failure(let error): errors.append("\(named[index].name): refused: \(error)")
                }
            }
            return (notes, errors)
        }
        return try await page(status: errors.isEmpty ? 200 : 422) { try $0.home(notes: notes, errors: errors) }
    }
}
