import Foundation
package import GFMDCore
package import GFMDReplica

/// The records list and the record page, as a session's scope allows:
/// records it sees whole as merged here, the others only as published.
package struct RecordPages {
    package let replica: Replica
    package let scope: ReaderScope
    /// For a secretariat session: its review buttons' CSRF token, and why
    /// the last review action was refused, shown beside them.
    package var reviewer: ReviewForm?
    /// For `gfmd ui`: the forms that edit the record, shown above its fields' history.
    package var editor: ((RecordState) throws -> String)?

    package init(replica: Replica, scope: ReaderScope, reviewer: ReviewForm? = nil, editor: ((RecordState) throws -> String)? = nil) {
        self.replica = replica
        self.scope = scope
        self.reviewer = reviewer
        self.editor = editor
    }

    /// The filters of the records list, from the query string.
    package struct Filters {
        package var type: String?
        package var owner: String?
        package var status: String?
        package var conflictsOnly = false
        /// Which page of ``pageSize`` records, from 1.
        package var page = 1

        package init(type: String? = nil, owner: String? = nil, status: String? = nil, conflictsOnly: Bool = false, page: Int = 1) {
            self.type = type
            self.owner = owner
            self.status = status
            self.conflictsOnly = conflictsOnly
            self.page = page
        }
    }

    /// Records per page of the list.
    package static let pageSize = 200

    /// One line of the list: a record as the session sees it.
    private struct Line {
        let id: RecordID
        let type, owner, status, title: String
        let conflicted, published: Bool
        let updated: HybridTimestamp
    }

    /// The records list, filtered, newest first.
    package func list(_ filters: Filters) throws -> String {
        var lines: [Line] = []
        for summary in try replica.list(RecordFilter(type: filters.type, owner: filters.owner)) {
            switch scope.access(to: summary.id) {
            case .whole:
                lines.append(Line(id: summary.id, type: summary.type, owner: summary.owner, status: summary.workflow, title: summary.title,
                                  conflicted: summary.conflicted, published: false, updated: summary.updated))
            case .published:
                // Its current title and state may be a draft's: the published version's only.
                let state = try replica.view(summary.id.hex, published: true).state
                guard !state.isDeleted else { continue }
                lines.append(Line(id: summary.id, type: state.header.type, owner: state.header.owner, status: state.workflowState,
                                  title: state.title, conflicted: state.isConflicted, published: true, updated: state.header.updated))
            case nil:
                continue
            }
        }
        lines = lines.filter { line in (filters.status.map { $0 == line.status } ?? true) && (!filters.conflictsOnly || line.conflicted) }
        let pages = max(1, (lines.count + Self.pageSize - 1) / Self.pageSize)
        let page = min(max(1, filters.page), pages)
        let shown = Array(lines.dropFirst((page - 1) * Self.pageSize).prefix(Self.pageSize))
        let ids = try replica.displayIDs(shown.map(\.id))
        let cells = shown.map { line -> [String] in
            ["<a href=\"/records/\(line.id.hex)\"><code>\(HTML.escape(ids[line.id] ?? line.id.hex))</code></a>", HTML.escape(line.type),
             HTML.participant(line.owner), HTML.escape(Self.status(line.status)) + (line.published ? " (published version)" : ""),
             HTML.escape(line.title), line.conflicted ? "<span class=\"conflict\">conflict</span>" : "", HTML.time(line.updated)]
        }
        let table = HTML.table(id: "records", ["id", "type", "owner", "status", "title", "conflicts", "updated"], cells,
                               empty: "No records match.")
        var body = "<h1>Records</h1>\n\(filterForm(filters))\n<p id=\"count\">\(lines.count) record\(lines.count == 1 ? "" : "s")"
        if pages > 1 { body += ", page \(page) of \(pages)" }
        body += "</p>\n\(table)"
        if pages > 1 { body += pageLinks(filters, page: page, pages: pages) }
        return body
    }

    /// Links to the previous and next pages, keeping the filters.
    private func pageLinks(_ filters: Filters, page: Int, pages: Int) -> String {
        func link(_ number: Int, _ label: String) -> String {
            var query = [("type", filters.type), ("owner", filters.owner), ("status", filters.status),
                         ("conflicts", filters.conflictsOnly ? "1" : nil), ("page", String(number))]
                .compactMap { name, value in value.map { "\(name)=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" } }
            query.sort()
            return "<a id=\"page-\(label)\" href=\"/records?\(HTML.escape(query.joined(separator: "&")))\">\(label) page</a>"
        }
        return "<p>" + [page > 1 ? link(page - 1, "previous") : nil, page < pages ? link(page + 1, "next") : nil]
            .compactMap { $0 }.joined(separator: " · ") + "</p>"
    }

    /// The record page; nil when the session may not see the record (or it does not exist).
    package func record(_ id: String, publishedVersion: Bool) throws -> String? {
        guard id.utf8.count == 32, let recordID = RecordID(hex: id.lowercased()), let access = scope.access(to: recordID) else { return nil }
        let published = publishedVersion || access == .published
        guard let view = try? replica.view(recordID.hex, published: published) else { return nil }
        let state = view.state
        var body = "<h1 id=\"title\">\(HTML.escape(state.title))\(state.isDeleted ? " [deleted]" : "")</h1>\n<dl id=\"facts\">"
        body += "<dt>id</dt><dd><code>\(recordID.hex)</code></dd><dt>type</dt><dd>\(HTML.escape(state.header.type))</dd>"
        body += "<dt>owner</dt><dd>\(HTML.participant(state.header.owner))</dd><dt>status</dt><dd>\(HTML.escape(Self.status(state.workflowState)))</dd>"
        body += "<dt>version</dt><dd id=\"version\">\(published ? "published: as the secretariat last accepted it" : "draft: as merged here")"
        if access == .whole, view.state.header.changeCount > 0, try replica.publishedChanges(of: recordID) != nil {
            body += published ? " (<a href=\"/records/\(recordID.hex)\">see the draft</a>)" : " (<a href=\"/records/\(recordID.hex)?version=published\">see the published version</a>)"
        }
        body += "</dd></dl>\n"
        if state.isConflicted {
            let names = state.conflictedFields.map(\.name) + (state.hasDeletionConflict ? ["deletion"] : [])
            body += "<p class=\"conflict\" id=\"conflicts\">Conflict on \(HTML.escape(names.joined(separator: ", "))): each value is shown below with its author.</p>\n"
        }
        if let reviewer, access == .whole, !published { body += reviewer.html(for: recordID, state: Governance(state).states) }
        if let editor, access == .whole, !published { body += try editor(state) }
        body += "<h2>Fields</h2>\n" + (access == .whole && !published ? try blamedFields(recordID) : fields(state))
        body += "\n<h2>History</h2>\n" + (try history(recordID))
        return body
    }

    /// Each field's values with who wrote them (`gfmd blame`).
    private func blamedFields(_ id: RecordID) throws -> String {
        let blame = try replica.blame(id.hex).fields
        let rows = blame.filter { !$0.field.hasPrefix(Workflow.reservedPrefix) }.map { field -> [String] in
            let conflicted = field.kind == "register" && Set(field.pieces.map(\.text)).count > 1
            let pieces = field.pieces.map { piece in
                "<div class=\"piece\"><pre>\(HTML.escape(piece.text))</pre><span class=\"who\">\(HTML.escape(piece.author)), \(HTML.participant(piece.participant)), \(HTML.time(piece.time)), \(HTML.escape(piece.origin))</span></div>"
            }.joined()
            return [HTML.escape(field.field) + (conflicted ? " <span class=\"conflict\">conflict</span>" : ""), pieces]
        }
        return HTML.table(id: "fields", ["field", "value, author, delegation, time, bundle"], rows, empty: "No field is set.")
    }

    /// Each field's displayed value, for a published version (its authors
    /// are in the history below).
    private func fields(_ state: RecordState) -> String {
        let known = state.recordType?.fields.map(\.name) ?? []
        let present = Set(state.fields.keys.map(\.name).filter { !$0.hasPrefix(Workflow.reservedPrefix) })
        let rows = (known.filter(present.contains) + present.subtracting(known).sorted()).compactMap { name -> [String]? in
            let value: String
            if let text = state.textField(name) { value = text.text }
            else if let list = state.listField(name) { value = list.itemTexts.map { "• " + $0 }.joined(separator: "\n") }
            else if let register = state.registerField(name), !register.isEmpty {
                value = Set(register.entries.map(\.value.displayText)).sorted().joined(separator: "\n— or —\n")
            } else if let set = state.setField(name), !set.elements.isEmpty { value = set.elements.map(\.displayText).joined(separator: ", ") }
            else { return nil }
            return [HTML.escape(name), "<pre>\(HTML.escape(value))</pre>"]
        }
        return HTML.table(id: "fields", ["field", "value"], rows, empty: "No field is set.")
    }

    /// The record's changes the session sees, oldest first (`gfmd log`).
    private func history(_ id: RecordID) throws -> String {
        let entries = try replica.log(LogFilter(record: id.hex)).filter { scope.sees($0.change, of: id) }
        let rows = entries.map { entry in
            [HTML.time(entry.time), HTML.escape(entry.author), HTML.participant(entry.participant),
             entry.operations.map(HTML.escape).joined(separator: "<br>"), HTML.escape(entry.origin), "<code>\(entry.change.short)</code>"]
        }
        return HTML.table(id: "history", ["time", "author", "delegation", "what", "from", "change"], rows, empty: "No change.")
    }

    /// A work-flow state as people read it.
    private static func status(_ raw: String) -> String {
        WorkflowState(rawValue: raw)?.displayName ?? raw
    }

    private func filterForm(_ filters: Filters) -> String {
        func option(_ value: String, _ label: String, _ selected: String?) -> String {
            "<option value=\"\(HTML.escape(value))\"\(selected == value ? " selected" : "")>\(HTML.escape(label))</option>"
        }
        let types = option("", "any type", filters.type ?? "") + Schema.types.map { option($0.name, $0.name, filters.type) }.joined()
        let statuses = option("", "any status", filters.status ?? "") + WorkflowState.allCases.map { option($0.rawValue, $0.displayName, filters.status) }.joined()
        return """
            <form class="filters" method="get" action="/records">
            <label>Type <select name="type">\(types)</select></label>
            <label>Owner <input name="owner" size="5" value="\(HTML.escape(filters.owner ?? ""))" placeholder="PHL"></label>
            <label>Status <select name="status">\(statuses)</select></label>
            <label><input type="checkbox" name="conflicts" value="1"\(filters.conflictsOnly ? " checked" : "")> conflicts only</label>
            <button type="submit">Filter</button>
            </form>
            """
    }
}
