import Foundation
package import GFMDCore
package import GFMDSync
import GRDB

/// The changes a ``DeltaPlan`` selects, with the point of each.
package struct DeltaSelection: Sendable {
    /// The changes, from the log and the rejected ledger.
    package var hashes: Set<ChangeHash>
    /// Their points, distinct.
    package var points: [SitePoint]
    /// Those of the trust record.
    package var trust: [ChangeHash] = []
    /// When a budget cut the selection: every change it would hold up to
    /// this time is in it, none after (`Protocol/sync.md`, "A push in parts").
    package var cutoff: HybridTimestamp?
}

extension StoreReader {
    /// The changes `plan` asks for, among what its recipient may read
    /// (`Protocol/trust.md`, "Visibility"): those above the plan's times and
    /// not skipped, those asked for, and what they make newly readable
    /// (`Protocol/sync.md`, "Deltas").
    ///
    /// Each site's changes are found by time through an index, so the cost
    /// grows with the changes above the plan's times, not with the log.
    ///
    /// - Parameter budget: when given, and the changes above the plan's
    ///   times come to more bytes, only the oldest of them that fit are
    ///   kept (at least one), with every change of their time (the
    ///   selection's ``DeltaSelection/cutoff``); those asked for by name and
    ///   the trust-record changes are always kept.
    package func select(_ plan: DeltaPlan, budget: Int? = nil) throws -> DeltaSelection {
        var candidates = try changes(above: plan)
        var cutoff: HybridTimestamp?
        if let budget, candidates.values.reduce(0, { $0 + $1.size }) > budget {
            let trust = try trustRecordID()
            let ordered = candidates.filter { $0.value.record != trust }.sorted { ($0.value.point.timestamp, $0.key) < ($1.value.point.timestamp, $1.key) }
            var total = 0
            for (_, candidate) in ordered {
                if cutoff != nil, candidate.point.timestamp > cutoff!, total + candidate.size > budget { break }
                total += candidate.size
                cutoff = candidate.point.timestamp
            }
            candidates = candidates.filter { $0.value.record == trust || $0.value.point.timestamp <= cutoff! }
        }
        for hash in plan.wants where candidates[hash] == nil {
            if let found = try located(hash) { candidates[hash] = found }
        }
        guard plan.recipient != ParticipantCode.secretariat.rawValue else {
            return DeltaSelection(hashes: Set(candidates.keys), points: Array(Set(candidates.values.map(\.point))), cutoff: cutoff)
        }
        var filter = VisibilityFilter(reader: self, participant: plan.recipient, trust: try trustRecordID())
        var kept: [ChangeHash: Located] = [:]
        var trustCandidates: [ChangeHash: Located] = [:]
        for (hash, candidate) in candidates {
            if candidate.record == filter.trust {
                trustCandidates[hash] = candidate
            } else if try filter.reads(hash, at: candidate) {
                kept[hash] = candidate
            }
        }
        for (hash, candidate) in try filter.newlyReadable(besides: kept, plan: plan) where kept[hash] == nil {
            kept[hash] = candidate
        }
        let trust = try filter.trustChanges(for: kept, among: trustCandidates, plan: plan)
        for (hash, candidate) in trust { kept[hash] = candidate }
        return DeltaSelection(hashes: Set(kept.keys), points: Array(Set(kept.values.map(\.point))), trust: Array(trust.keys), cutoff: cutoff)
    }

    /// A change found in the log or the rejected ledger.
    struct Located {
        let record: RecordID
        let point: SitePoint
        let rejected: Bool
        /// The length of its bytes.
        var size = 0
    }

    /// Every change held above the plan's times and not skipped, by site.
    ///
    /// For a recipient that may not read everything, on the writer's
    /// connection, only the sites that wrote something it might read are
    /// probed, and the rest of the log only above where the last scan for it
    /// stopped (``SiteActivity/Readers``): an answer to a delegation's laptop
    /// costs what is new and what its participant reads, not every other
    /// delegation's history. The first answer to each participant after the
    /// hub starts (or after a record changed owner) scans the log once.
    private func changes(above plan: DeltaPlan) throws -> [ChangeHash: Located] {
        let signers = try signingSites()
        let latest = try self.sites?.latest(db)
        let partial = plan.recipient != ParticipantCode.secretariat.rawValue
        // For a recipient that may not read everything, changes of records it
        // can read no part of (another participant's, never accepted, without
        // it as co-author) are left out here, in SQL; the visibility filter
        // then judges the rest exactly.
        let readable = !partial ? "" : """
             AND (c.record = ?3 OR EXISTS (SELECT 1 FROM change a WHERE a.record = c.record AND a.accepts = 1)
                  OR EXISTS (SELECT 1 FROM record r WHERE r.id = c.record AND (r.owner = ?4 OR r.owner = ''
                             OR EXISTS (SELECT 1 FROM json_each(r.co_authors) WHERE value = ?4))))
            """
        let trust = try trustRecordID()?.data
        var found: [ChangeHash: Located] = [:]
        func take(_ row: Row, site: SiteID, rejected: Bool) throws {
            let tag = SiteTag(site)
            let shared = signers.shared.contains(tag)
            let point = SitePoint(site: tag, timestamp: HybridTimestamp(rawValue: UInt64(bitPattern: row[2])))
            guard shared || plan.carries(point) else { return }
            found[try Hash256(data: row[0])] = Located(record: try RecordID(data: row[1]), point: point, rejected: rejected, size: row[3])
        }

        var probed = signers.sites
        if partial, let activity = self.sites {
            var readers = activity.readers(of: plan.recipient) ?? SiteActivity.Readers(changes: 0, rejected: 0, sites: [])
            for (table, key, rejected) in [("change", "seq", false), ("rejected", "rejected_seq", true)] {
                let statement = try db.cachedStatement(sql: "SELECT hash, record, hlc, size, site FROM \(table) c WHERE \(key) > ?1" + readable)
                let rows = try Row.fetchCursor(statement, arguments: [rejected ? readers.rejected : readers.changes, nil, trust, plan.recipient])
                while let row = try rows.next() {
                    let site = try SiteID(data: row[4])
                    readers.sites.insert(site)
                    try take(row, site: site, rejected: rejected)
                }
            }
            readers.changes = try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM change") ?? 0
            readers.rejected = try Int64.fetchOne(db, sql: "SELECT coalesce(max(rejected_seq), 0) FROM rejected") ?? 0
            activity.stage(readers, of: plan.recipient)
            probed = signers.sites.filter(readers.sites.contains)
        }
        for (table, rejected) in [("change", false), ("rejected", true)] {
            let statement = try db.cachedStatement(sql: "SELECT hash, record, hlc, size FROM \(table) c WHERE site = ?1 AND hlc > ?2" + readable)
            for site in probed {
                // A tag two sites share names neither: all of their changes are candidates.
                let since = signers.shared.contains(SiteTag(site)) ? HybridTimestamp.zero : plan.since[SiteTag(site)]
                if let latest, (latest[site] ?? .zero) <= since { continue }
                let arguments: StatementArguments = partial
                    ? [site.data, Int64(bitPattern: since.rawValue), trust, plan.recipient]
                    : [site.data, Int64(bitPattern: since.rawValue)]
                let rows = try Row.fetchCursor(statement, arguments: arguments)
                while let row = try rows.next() { try take(row, site: site, rejected: rejected) }
            }
        }
        return found
    }

    /// The change `hash` of the log, or of the rejected ledger.
    func storedChange(_ hash: ChangeHash, rejected: Bool) throws -> EncodedChange? {
        let table = rejected ? "rejected" : "change"
        let statement = try db.cachedStatement(sql: "SELECT \(BodyBlocks.columns(of: table)) FROM \(table) WHERE hash = ?")
        return try Row.fetchOne(statement, arguments: [hash.data]).map { try bodies.change($0, at: 0, table: table) }
    }

    /// Where change `hash` is held, if it is.
    func located(_ hash: ChangeHash) throws -> Located? {
        for (table, rejected) in [("change", false), ("rejected", true)] {
            let statement = try db.cachedStatement(sql: "SELECT record, site, hlc FROM \(table) WHERE hash = ?")
            if let row = try Row.fetchOne(statement, arguments: [hash.data]) {
                return Located(record: try RecordID(data: row[0]),
                               point: SitePoint(site: SiteTag(try SiteID(data: row[1])), timestamp: HybridTimestamp(rawValue: UInt64(bitPattern: row[2]))),
                               rejected: rejected)
            }
        }
        return nil
    }
}
