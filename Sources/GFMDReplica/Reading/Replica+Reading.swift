public import GFMDCore
public import GFMDStore

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
    /// verdicts and the merged state compared with a fresh replay
    /// (``ReplicaStore/verify(scratchDirectory:replayBatch:)``).
    public func verify() throws -> Verification {
        try store.verify()
    }

    /// What is pending and what it waits for.
    public func pending() throws -> PendingSummary {
        try read { try $0.pendingSummary() }
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
}
