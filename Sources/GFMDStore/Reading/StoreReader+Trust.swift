import Foundation
public import GFMDCore
import GRDB

extension StoreReader {
    /// The trust record's id, once a root key is pinned.
    public func trustRecordID() throws -> RecordID? {
        try root().map(TrustRecord.id(for:))
    }

    /// The latest trust-record changes in the causal past of `changes` (stored changes).
    public func trustFrontier(of changes: [ChangeHash]) throws -> Set<ChangeHash> {
        var frontier = Set<ChangeHash>()
        let statement = try db.cachedStatement(sql: "SELECT trust_frontier FROM change WHERE hash = ?")
        for hash in changes {
            if let data = try Data.fetchOne(statement, arguments: [hash.data]) {
                frontier.formUnion(try [Hash256](concatenated: data))
            }
        }
        return frontier
    }

    /// The trust-record changes that certify or revoke `site`, in log order.
    public func trustChanges(concerning site: SiteID) throws -> [ChangeHash] {
        guard let trust = try trustRecordID() else { return [] }
        return try changes(of: trust).filter { TrustRecord.sites(concernedBy: $0.change).contains(site) }.map(\.hash)
    }

    /// The trust-record changes a new change depends on besides the record
    /// changes `dependencies` (`Protocol/trust.md`, "Causal past and
    /// dependencies"): the latest of `own`, the changes that certify or
    /// revoke its site (``trustChanges(concerning:)``), that are not yet in
    /// the causal past of `dependencies`.
    public func trustDependencies(among own: [ChangeHash], besides dependencies: [ChangeHash]) throws -> [ChangeHash] {
        let history = StoreHistory(db: db)
        let known = try history.ancestry(of: Array(trustFrontier(of: dependencies)))
        let missing = own.filter { !known.contains($0) }
        var implied = Set<ChangeHash>()
        for hash in missing { implied.formUnion(try history.ancestry(of: [hash]).subtracting([hash])) }
        return missing.filter { !implied.contains($0) }.sorted()
    }

    /// `changes` and every stored change they depend on, directly or not.
    public func ancestry(of changes: [ChangeHash]) throws -> Set<ChangeHash> {
        try StoreHistory(db: db).ancestry(of: changes)
    }

    /// The rejected changes, of `record` or of every record, in the order they were rejected.
    public func rejectedChanges(of record: RecordID? = nil) throws -> [RejectedChange] {
        try Row.fetchAll(try db.cachedStatement(sql: """
            SELECT r.body, r.size, r.code, r.reason, coalesce(b.file_name, lower(hex(b.checksum)))
            FROM rejected r LEFT JOIN bundle b ON b.id = r.bundle_id
            WHERE ?1 IS NULL OR r.record = ?1 ORDER BY r.rejected_seq
            """), arguments: [record?.data]).map { row in
            RejectedChange(encoded: try Self.decodeStored(row[0], size: row[1]), code: row[2], reason: row[3], bundle: row[4])
        }
    }

    /// Ids of every record this replica holds, in id order.
    public func allRecordIDs() throws -> [RecordID] {
        try Data.fetchAll(try db.cachedStatement(sql: "SELECT id FROM record ORDER BY id")).map { try RecordID(data: $0) }
    }

    /// Ids of the stored changes of `record`, in log order.
    public func changeHashes(of record: RecordID) throws -> [ChangeHash] {
        try Data.fetchAll(try db.cachedStatement(sql: "SELECT hash FROM change WHERE record = ? ORDER BY seq"), arguments: [record.data])
            .map { try Hash256(data: $0) }
    }

    /// Ids of the rejected changes of `record`.
    public func rejectedHashes(of record: RecordID) throws -> [ChangeHash] {
        try Data.fetchAll(try db.cachedStatement(sql: "SELECT hash FROM rejected WHERE record = ?"), arguments: [record.data])
            .map { try Hash256(data: $0) }
    }

    /// The changes of `record` that make up its published version: every
    /// change that accepted it, and all the record's changes before them. Nil
    /// when the record was never accepted.
    public func publishedChanges(of record: RecordID) throws -> Set<ChangeHash>? {
        let accepts = try Data.fetchAll(try db.cachedStatement(sql: "SELECT hash FROM change WHERE record = ? AND accepts = 1"), arguments: [record.data])
            .map { try Hash256(data: $0) }
        guard !accepts.isEmpty else { return nil }
        let recordChanges = Set(try changeHashes(of: record))
        return try StoreHistory(db: db).ancestry(of: accepts).intersection(recordChanges)
    }

    /// The state of `record` made of `changes` alone (a causally closed set of its changes).
    public func state(of record: RecordID, within changes: Set<ChangeHash>) throws -> RecordState? {
        var state: RecordState?
        var history = RestrictedHistory(db: db, allowed: changes)
        let rows = try Row.fetchCursor(db, sql: "SELECT seq, hash, \(BodyBlocks.columns) FROM change WHERE record = ? ORDER BY seq", arguments: [record.data])
        while let row = try rows.next() {
            let hash = try Hash256(data: row[1])
            guard changes.contains(hash) else { continue }
            let encoded = try bodies.change(row, at: 2)
            if state == nil { state = try RecordState(creatingWith: encoded) }
            history.before = row[0]
            try state!.apply(encoded, history: history)
        }
        return state
    }
}

/// The history of a record restricted to some of its changes (a published version).
struct RestrictedHistory: CausalHistory {
    let db: Database
    let allowed: Set<ChangeHash>
    var before: Int64 = .max

    func editingChanges(of record: RecordID) throws -> [ChangeHash] {
        try StoreHistory(db: db, before: before).editingChanges(of: record).filter(allowed.contains)
    }

    func ancestry(of changes: [ChangeHash]) throws -> Set<ChangeHash> {
        try StoreHistory(db: db).ancestry(of: changes)
    }
}
