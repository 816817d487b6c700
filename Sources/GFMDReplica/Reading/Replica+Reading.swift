public import Foundation
public import GFMDCore
import GFMDStore

extension Replica {
    /// The record whose id is, or starts with, `prefix`.
    ///
    /// - Throws: ``InputError`` when no record, or several, match.
    public func record(_ prefix: String) throws -> RecordState {
        let id = try read { try StoreRecordLookup(reader: $0).id(matching: prefix) }
        guard let state = try store.record(id) else {
            throw InputError(.unknownRecord, "no record on this replica has the id \(id.hex)")
        }
        return state
    }

    /// Records matching `filter`, most recently updated first.
    public func list(_ filter: RecordFilter = RecordFilter()) throws -> [RecordSummary] {
        try read { try $0.summaries(filter) }
    }

    /// `gfmd digest`: the hash of the merged state of every record.
    public func digest() throws -> String {
        try read { try $0.digest() }
    }

    /// The digest of what `participant` may read of this replica: what a
    /// replica of `participant` holding all of it prints as its `gfmd digest`.
    public func digest(for participant: ParticipantCode) throws -> String {
        try read { reader in try reader.digest(of: reader.visibility(for: participant.rawValue)) }
    }

    /// `gfmd verify`: every hash and signature re-checked, and the log, the
    /// verdicts and the merged state compared with a fresh replay in memory
    /// (`Protocol/storage.md`, "What `gfmd verify` checks"), `progress` told
    /// of the commits replayed.
    public func verify(progress: ProgressHandler? = nil) throws -> Verification {
        try store.verify(progress: progress)
    }

    /// `gfmd audit-db`: a copy of this replica's database for auditors, at
    /// `destination`, with the field history derived from the log.
    public func writeAuditDatabase(to destination: URL) throws -> AuditDatabaseReport {
        try store.writeAuditDatabase(to: destination)
    }

    /// What `gfmd status` counts: records, conflicts, pending and rejected changes.
    public func counts() throws -> ReplicaCounts {
        try read { try $0.counts() }
    }

    /// How many records this replica holds (the trust record left out) and how many changes its log holds.
    public func sizes() throws -> (records: Int, changes: Int) {
        try read { (try $0.recordCount(), try $0.changeCount()) }
    }

    /// Every bundle applied, in order.
    public func bundles() throws -> [BundleReceipt] {
        try read { try $0.bundles() }
    }

    /// The changes that make up record `id`'s published version: every
    /// change that accepted it, and all its changes before them; nil when it
    /// was never accepted.
    public func publishedChanges(of id: RecordID) throws -> Set<ChangeHash>? {
        try read { try $0.publishedChanges(of: id) }
    }

    /// What is pending and what it waits for.
    public func pending() throws -> PendingSummary {
        try read { try $0.pendingSummary() }
    }

    /// Every pending change, with the bundle that brought it and what it waits for.
    public func pendingChanges() throws -> [PendingChange] {
        try read { try $0.pendingChanges() }
    }

    /// Drops the pending changes whose ids start with one of `prefixes`, and
    /// those that wait on them; every pending change when `prefixes` is nil.
    ///
    /// - Returns: the changes dropped.
    /// - Throws: ``InputError`` when a prefix names no pending change, or several.
    public func dropPending(_ prefixes: [String]?) throws -> [ChangeHash] {
        try store.write { writer in
            guard let prefixes else { return try writer.dropPending(nil) }
            let pending = try writer.reader.pendingChanges().map(\.encoded.hash)
            let chosen = try prefixes.map { prefix in
                let matches = pending.filter { $0.hex.hasPrefix(prefix.lowercased()) }
                guard prefix.count >= 4, matches.count == 1 else {
                    throw InputError(matches.count > 1 ? .ambiguousRecord : .unknownRecord,
                        matches.count > 1 ? "\(prefix) names \(matches.count) pending changes: give more digits"
                                          : "no pending change has an id starting with \(prefix) (give at least 4 digits)")
                }
                return matches[0]
            }
            return try writer.dropPending(Set(chosen))
        }
    }

    /// Who made each of `hashes` and when.
    public func changeSummaries(_ hashes: [ChangeHash]) throws -> [ChangeHash: ChangeSummary] {
        try read { try $0.changeSummaries(hashes) }
    }
}

extension Replica {
    /// The record's id as shown to users: the shortest prefix of at least
    /// 8 digits that names it unambiguously on this replica.
    public func displayID(_ id: RecordID) throws -> String {
        try read { String(id.hex.prefix(try $0.uniquePrefixLength(of: id))) }
    }

    /// ``displayID(_:)`` of each of `ids`, in one read (for listings).
    public func displayIDs(_ ids: [RecordID]) throws -> [RecordID: String] {
        try read { reader in
            try reader.uniquePrefixLengths(of: ids).reduce(into: [:]) { shown, entry in shown[entry.key] = String(entry.key.hex.prefix(entry.value)) }
        }
    }
}
