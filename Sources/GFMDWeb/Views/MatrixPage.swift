package import GFMDReplica
import GFMDCore

/// The matrix of knowledge gaps (``GapMatrix``) as a page: the gaps a
/// session may read, each linking to its record's page.
package struct MatrixPage {
    package let replica: Replica
    package let scope: ReaderScope

    package init(replica: Replica, scope: ReaderScope) {
        self.replica = replica
        self.scope = scope
    }

    /// The matrix of the gaps as merged here (each as the session may read
    /// it: whole, or its published version), or of their published versions only.
    package func html(publishedOnly: Bool) throws -> String {
        var views: [RecordView] = []
        for summary in try replica.list(RecordFilter(type: "knowledge_gap")) {
            guard let access = scope.access(to: summary.id) else { continue }
            let published = publishedOnly || access == .published
            if published, try replica.publishedChanges(of: summary.id) == nil { continue }
            let view = try replica.view(summary.id.hex, published: published)
            if !view.state.isDeleted { views.append(view) }
        }
        let matrix = GapMatrix(views)
        var body = "<h1>Matrix of knowledge gaps</h1>\n<p id=\"matrix-version\">"
        body += publishedOnly ? "Published versions only (<a href=\"/matrix\">every gap as merged here</a>)."
            : "Every gap as merged here (<a href=\"/matrix?version=published\">published versions only</a>)."
        body += "</p>\n"
        let rows = matrix.themes.map { theme -> [String] in
            [HTML.escape(theme)] + matrix.proposers.map { proposer in
                matrix.gaps(theme, proposer).map { gap in
                    "<a href=\"/records/\(gap.id.hex)\" dir=\"auto\">\(HTML.escape(gap.summary.isEmpty ? gap.id.short : gap.summary))</a>"
                }.joined(separator: "<br>")
            }
        }
        return body + HTML.table(id: "matrix", ["theme"] + matrix.proposers.map(ParticipantCode.label), rows,
                                 empty: "No knowledge gap here yet.")
    }
}
