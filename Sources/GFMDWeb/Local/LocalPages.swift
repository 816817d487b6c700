import Foundation
import GFMDCore
import GFMDReplica

/// The pages of `gfmd ui`: the home page (who this laptop is, what waits,
/// sync, bundles), the records, and a record to edit. Views the hub shows
/// too (the list, the record with who wrote what, its history) are
/// ``RecordPages``'s.
struct LocalPages {
    let replica: Replica
    let csrf: String

    /// A page of `gfmd ui`.
    func page(_ title: String, _ body: String) -> String {
        let header = """
            <nav><a href="/" id="nav-home">Home</a> <a href="/records" id="nav-records">Records</a> <a href="/matrix" id="nav-matrix">Matrix</a></nav>
            <span id="session">\(HTML.escape(replica.identity.author)), \(HTML.participant(replica.identity.participant))</span>
            """
        return HTML.page(title: title, brand: "gfmd", header: header, body: body)
    }

    /// A refusal, on a page of its own (no session to show).
    static func refusal(_ reason: String) -> String {
        HTML.page(title: "Refused", brand: "gfmd", header: "", body: "<h1>Refused</h1><p id=\"refused\">\(HTML.escape(reason))</p>")
    }

    // MARK: Home

    /// The home page, with the one-line outcomes of what was just done (`notes`) and refusals (`errors`).
    func home(notes: [String] = [], errors: [String] = []) throws -> String {
        let identity = replica.identity
        var body = notes.map { "<p class=\"note\">\(HTML.escape($0))</p>" }.joined()
        body += errors.map { "<p class=\"refusal\">\(HTML.escape($0))</p>" }.joined()
        if !notes.isEmpty || !errors.isEmpty { body = "<section id=\"outcome\">\(body)</section>" }
        body += "<h1>This laptop</h1><dl id=\"identity\">"
        body += "<dt>author</dt><dd>\(HTML.escape(identity.author))</dd><dt>participant</dt><dd>\(HTML.participant(identity.participant))</dd>"
        body += "<dt>site</dt><dd><code>\(replica.siteID.hex)</code></dd>"
        if let certificate = try replica.certificate() {
            body += "<dt>enrolled</dt><dd id=\"enrolment\">\(HTML.escape("\(certificate.role)")), valid until \(HTML.escape(certificate.notAfter.readable))</dd>"
        } else {
            body += "<dt>enrolled</dt><dd id=\"enrolment\">not yet: ask the secretariat for a certificate</dd>"
        }
        let counts = try replica.counts()
        body += "<dt>records</dt><dd id=\"counts\">\(counts.records) (<a href=\"/records?conflicts=1\">\(counts.conflicted) with a conflict</a>), "
        body += "\(counts.pending) changes pending, \(counts.rejected) rejected</dd></dl>\n"

        let lacks = try replica.peerLacks(counting: nil)
        let rows = lacks.map { lack -> [String] in
            [HTML.participant(lack.participant), lack.lastHeard.map { HTML.time($0) } ?? "never",
             lack.lacking.map { "\($0) change\($0 == 1 ? "" : "s")" } ?? "not counted"]
        }
        body += "<h2>Peers</h2>" + HTML.table(id: "peers", ["participant", "last heard", "believed to lack"], rows,
                                              empty: "None yet: sync with the hub, or exchange a bundle.")

        let hub = try replica.hubAddresses().first ?? ""
        body += """
            <h2>Sync with the hub</h2>
            <form method="post" action="/sync" id="sync-form">\(HTML.csrfField(csrf))
            <label>Hub address <input type="url" name="url" id="hub-url" size="40" value="\(HTML.escape(hub))" placeholder="https://hub.example.org:8443" required></label>
            <button type="submit" id="sync">Sync now</button></form>
            <h2>Bundle files</h2>
            <form method="post" action="/bundles/create" id="bundle-form">\(HTML.csrfField(csrf))
            <label>For participant <input type="text" name="to" id="bundle-to" size="6" value="SEC" required></label>
            <button type="submit" id="bundle-create">Make a bundle</button></form>
            <form method="post" action="/bundles/apply" enctype="multipart/form-data" id="apply-form">\(HTML.csrfField(csrf))
            <label>Bundle files <input type="file" name="bundle" id="bundle-files" multiple accept=".gfmd"></label>
            <button type="submit" id="bundle-apply">Apply</button></form>
            """
        return page("Home", body)
    }

    // MARK: Records

    /// The records list with its filters, and the form for a new record.
    func records(_ filters: RecordPages.Filters, list: String) -> String {
        let types = Schema.types.map { "<option value=\"\($0.name)\">\(HTML.escape($0.name))</option>" }.joined()
        let body = """
            <h1>Records</h1>
            <form method="get" action="/records" class="filters">
            <label>Type <input type="text" name="type" value="\(HTML.escape(filters.type ?? ""))"></label>
            <label>Owner <input type="text" name="owner" size="6" value="\(HTML.escape(filters.owner ?? ""))"></label>
            <label>Status <input type="text" name="status" size="10" value="\(HTML.escape(filters.status ?? ""))"></label>
            <label><input type="checkbox" name="conflicts" value="1"\(filters.conflictsOnly ? " checked" : "")> with a conflict</label>
            <button type="submit">Filter</button></form>
            \(list)
            <h2>New record</h2>
            <form method="post" action="/records/new" id="new-form">\(HTML.csrfField(csrf))
            <label>Type <select name="type" id="new-type">\(types)</select></label>
            <label>Title <input type="text" name="title" id="new-title" dir="auto" size="50" required></label>
            <button type="submit" id="new-create">Create</button></form>
            """
        return page("Records", body)
    }

    // MARK: A record

    /// What this laptop may do to `state`, above the fields' history: its
    /// conflicts to settle, each field's form, the work-flow buttons.
    /// `refusal` is shown next to the field (or the buttons) that caused it.
    func editor(_ state: RecordState, refusal: (field: String?, message: String)?) throws -> String {
        let id = state.id.hex
        let action = "/records/\(id)"
        func refused(_ field: String?) -> String {
            guard let refusal, refusal.field == field else { return "" }
            return "<p class=\"refusal\" id=\"refused-\(HTML.escape(field ?? "record"))\">\(HTML.escape(refusal.message))</p>"
        }
        func form(_ name: String, _ fields: String, _ button: String, id buttonID: String) -> String {
            """
            <form method="post" action="\(action)">\(HTML.csrfField(csrf))<input type="hidden" name="action" value="\(name)">\
            \(fields)<button type="submit" id="\(buttonID)">\(HTML.escape(button))</button></form>
            """
        }
        func hidden(_ name: String, _ value: String) -> String {
            "<input type=\"hidden\" name=\"\(name)\" value=\"\(HTML.escape(value))\">"
        }
        var body = "<section id=\"edit\">"
        let conflicts = try replica.conflicts(of: state)
        for conflict in conflicts.fields {
            let field = conflict.field
            body += "<div class=\"conflict-box\" id=\"conflict-\(HTML.escape(field))\"><h3>Conflict on \(HTML.escape(field))</h3><div class=\"sides\">"
            for (index, value) in conflict.values.enumerated() {
                body += "<div class=\"side\"><pre dir=\"auto\">\(HTML.escape(value.value.displayText))</pre>"
                body += "<span class=\"who\">\(HTML.escape(value.author)), \(HTML.participant(value.participant)), \(HTML.time(value.time))</span>"
                body += form("resolve", hidden("field", field) + hidden("value", value.value.displayText), "Keep this one",
                             id: "keep-\(HTML.escape(field))-\(index)") + "</div>"
            }
            body += "</div>" + form("resolve", hidden("field", field) + "<input type=\"text\" name=\"value\" dir=\"auto\" id=\"another-\(HTML.escape(field))\" required> ",
                         "Write another value", id: "write-another-\(HTML.escape(field))")
            body += "</div>"
        }
        body += refused(nil)
        let governance = Governance(state)
        var buttons = ""
        if governance.states.contains(where: { [.draft, .returned, .withdrawn].contains($0) }) {
            buttons += form("submit", "", "Submit to the secretariat", id: "submit")
        }
        if governance.states.contains(.submitted) { buttons += form("withdraw", "", "Withdraw", id: "withdraw") }
        buttons += state.isDeleted ? form("restore", "", "Restore", id: "restore") : form("delete", "", "Delete", id: "delete")
        body += "<div class=\"buttons\" id=\"workflow\">\(buttons)</div>"

        for spec in state.recordType?.fields ?? [] {
            let name = HTML.escape(spec.name)
            body += "<div class=\"field\" id=\"field-\(name)\"><h3>\(name)</h3><p class=\"help\">\(HTML.escape(spec.help))</p>\(refused(spec.name))"
            switch spec.kind {
            case .register:
                let current = state.registerField(spec.name)?.winner?.value.displayText ?? ""
                body += form("set", hidden("field", spec.name) + "<input type=\"text\" name=\"value\" dir=\"auto\" size=\"60\" id=\"value-\(name)\" value=\"\(HTML.escape(current))\"> ",
                             "Save", id: "save-\(name)")
            case .text:
                let current = state.textField(spec.name)?.text ?? ""
                body += form("set", hidden("field", spec.name) + "<textarea name=\"value\" dir=\"auto\" rows=\"8\" cols=\"80\" id=\"value-\(name)\">\(HTML.escape(current))</textarea><br>",
                             "Save", id: "save-\(name)")
            case .set:
                for (index, element) in (state.setField(spec.name)?.elements ?? []).enumerated() {
                    body += "<div class=\"element\"><span dir=\"auto\">\(HTML.escape(element.displayText))</span> "
                    body += form("remove", hidden("field", spec.name) + hidden("value", element.displayText), "Remove", id: "remove-\(name)-\(index)") + "</div>"
                }
                body += form("add", hidden("field", spec.name) + "<input type=\"text\" name=\"value\" dir=\"auto\" id=\"value-\(name)\" required> ",
                             "Add", id: "add-\(name)")
            case .list:
                let items = state.listField(spec.name)?.itemTexts ?? []
                let inputs = (items + [""]).enumerated().map { index, item in
                    "<textarea name=\"item\" dir=\"auto\" rows=\"3\" cols=\"80\" id=\"item-\(name)-\(index)\">\(HTML.escape(item))</textarea><br>"
                }.joined()
                body += form("items", hidden("field", spec.name) + inputs, "Save the items (an emptied item is removed)", id: "save-\(name)")
            }
            body += "</div>"
        }
        return body + "</section>\n"
    }
}
