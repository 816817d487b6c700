import GFMDCore
package import GFMDReplica

/// The bundles and syncs received, by delegation, and `gfmd verify`'s
/// verdict, as a session's scope allows.
package struct LedgerPages {
    package let replica: Replica
    package let scope: ReaderScope

    package init(replica: Replica, scope: ReaderScope) {
        self.replica = replica
        self.scope = scope
    }

    /// Every bundle applied (files and HTTP syncs), grouped by the sending
    /// delegation; a session that does not read everything sees its own
    /// delegation's only.
    package func bundles() throws -> String {
        let ledger = try replica.bundles().filter { scope.readsEverything || $0.senderParticipant == scope.participant }
        let groups = Dictionary(grouping: ledger, by: \.senderParticipant).sorted { $0.key < $1.key }
        var body = "<h1>Bundles and syncs received</h1>\n<p id=\"count\">\(ledger.count) bundle\(ledger.count == 1 ? "" : "s") from \(groups.count) delegation\(groups.count == 1 ? "" : "s")</p>\n"
        if groups.isEmpty { body += "<p class=\"empty\" id=\"bundles-empty\">No bundle was applied here.</p>" }
        for (participant, receipts) in groups {
            let rows = receipts.sorted { ($0.id ?? 0) > ($1.id ?? 0) }.map { receipt -> [String] in
                [HTML.escape(receipt.fileName ?? "(standard input)"), "<code title=\"\(receipt.checksum.hex)\">\(receipt.checksum.short)</code>",
                 "<code>\(receipt.senderSite.short)</code>", HTML.time(receipt.created), HTML.escape(receipt.appliedAt), "\(receipt.changeCount)"]
            }
            body += "<h2>\(HTML.participant(participant))</h2>\n"
            body += HTML.table(id: "bundles-\(participant)", ["file or sync", "checksum", "site", "made", "applied", "changes"], rows, empty: "")
        }
        return body
    }

    /// `gfmd verify` run now: the verdict, and the problems for a session
    /// that reads everything (they name records others may not see).
    package func verify() throws -> String {
        let verification = try replica.verify()
        var body = "<h1>Verify</h1>\n"
        if verification.isIntact {
            body += "<p id=\"verdict\" class=\"verdict-intact\">Intact: \(verification.changes) changes re-hashed, every signature verified, and a fresh replay of the history gives the same records.</p>\n"
        } else {
            body += "<p id=\"verdict\" class=\"verdict-damaged\">Not intact: \(verification.problems.count) problem\(verification.problems.count == 1 ? "" : "s") found.</p>\n"
            if scope.readsEverything {
                let rows = verification.problems.map { ["<code>\(HTML.escape($0.kind.rawValue))</code>", "<code>\(HTML.escape($0.subject))</code>", HTML.escape($0.detail)] }
                body += HTML.table(id: "problems", ["kind", "subject", "detail"], rows, empty: "")
            } else {
                body += "<p>The secretariat sees each problem.</p>\n"
            }
        }
        body += "<dl><dt>pinned root</dt><dd><code id=\"root\">\(verification.root.hex)</code> (compare it with the fingerprint the secretariat publishes)</dd>"
        body += "<dt>digest</dt><dd><code id=\"digest\">\(HTML.escape(verification.digest))</code></dd></dl>"
        return body
    }
}
