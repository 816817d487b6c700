import Foundation
public import GFMDCore
import GRDB

/// Reads a replica's database inside one transaction.
public struct StoreReader {
    let db: Database
    /// What each site holds, when reading on the writer's connection (deltas then probe fewer sites).
    let sites: SiteActivity?
    /// The trust index current in the writer's transaction, once loaded
    /// (deltas then read trust-record changes decoded).
    let trust: TrustIndex?
    /// Reads change bodies, keeping the blocks last read unpacked.
    let bodies: LogBodies

    init(db: Database, sites: SiteActivity? = nil, trust: TrustIndex? = nil) {
        self.db = db
        self.sites = sites
        self.trust = trust
        bodies = LogBodies(db)
    }

    /// Meta keys.
    enum MetaKey {
        static let publicKey = "site_public_key"
        static let participant = "participant"
        static let author = "author"
        static let clock = "clock"
        static let root = "root_public_key"
        static let nextSerial = "next_certificate_serial"
    }

    /// The secretariat's root key this replica pins, or nil before enrolment.
    public func root() throws -> SitePublicKey? {
        guard let data = try meta(MetaKey.root) else { return nil }
        do {
            return try SitePublicKey(rawRepresentation: data)
        } catch {
            throw StoreError(.corrupt, "the replica's pinned root key is invalid")
        }
    }

    func meta(_ key: String) throws -> Data? {
        try Data.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = ?"), arguments: [key])
    }

    /// The replica's identity, or nil before `gfmd init`.
    public func identity() throws -> StoredIdentity? {
        guard let key = try meta(MetaKey.publicKey), let participant = try meta(MetaKey.participant),
              let author = try meta(MetaKey.author) else { return nil }
        do {
            return StoredIdentity(
                publicKey: try SitePublicKey(rawRepresentation: key),
                participant: String(decoding: participant, as: UTF8.self),
                author: String(decoding: author, as: UTF8.self))
        } catch {
            throw StoreError(.corrupt, "the replica's stored public key is invalid")
        }
    }

    /// The site's hybrid logical clock as last saved.
    public func clock() throws -> HybridLogicalClock {
        guard let data = try meta(MetaKey.clock), data.count == 8 else { return HybridLogicalClock() }
        let raw = data.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return HybridLogicalClock(latest: HybridTimestamp(rawValue: raw))
    }

    // MARK: Records

    /// The merged state of record `id`, or nil if this replica does not hold it.
    public func record(_ id: RecordID) throws -> RecordState? {
        try StoredRecord.load(id, from: db)?.state
    }

    /// The checkpoint a `record.state` column holds, packed from `size` bytes (``PackedBlob``).
    static func decodeState(_ data: Data, size: Int, id: RecordID) throws -> RecordState {
        let bytes = try PackedBlob.unpack(data, size: size)
        do {
            return try RecordState(id: id, decoding: bytes)
        } catch {
            throw StoreError(.corrupt, "the stored state of record \(id.short) is damaged: \(error)")
        }
    }

    /// Ids of the records whose hexadecimal id starts with `prefix`, at most `limit` of them.
    public func recordIDs(withPrefix prefix: String, limit: Int = 10) throws -> [RecordID] {
        guard let range = RecordID.range(ofPrefix: prefix) else { return [] }
        return try Data.fetchAll(
            db.cachedStatement(sql: "SELECT id FROM record WHERE id BETWEEN ? AND ? ORDER BY id LIMIT ?"),
            arguments: [range.lowerBound.data, range.upperBound.data, limit]
        ).map { try RecordID(data: $0) }
    }

    /// Records matching `filter`, most recently updated first.
    public func summaries(_ filter: RecordFilter) throws -> [RecordSummary] {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let type = filter.type {
            conditions.append("type = ?")
            arguments.append(type)
        } else {
            // The trust record holds certificates, not a submission: listed only when asked for.
            conditions.append("type <> ?")
            arguments.append(TrustRecord.type)
        }
        if let workflow = filter.workflow { conditions.append("workflow = ?"); arguments.append(workflow) }
        if let owner = filter.owner { conditions.append("owner = ?"); arguments.append(owner) }
        if filter.published { conditions.append("EXISTS (SELECT 1 FROM change a WHERE a.record = record.id AND a.accepts = 1)") }
        // A deleted record with a conflict (a contested deletion) stays listed: someone must settle it.
        if !filter.includeDeleted { conditions.append("(deleted = 0 OR conflicted = 1)") }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        // A cursor, not fetchAll: each row is read once, straight into its summary.
        let rows = try Row.fetchCursor(try db.cachedStatement(sql: """
            SELECT id, type, owner, workflow, title, deleted, conflicted, created_hlc, updated_hlc
            FROM record \(whereClause) ORDER BY updated_hlc DESC, id
            """), arguments: StatementArguments(arguments))
        var summaries: [RecordSummary] = []
        while let row = try rows.next() {
            summaries.append(RecordSummary(
                id: try RecordID(data: row[0]), type: row[1], owner: row[2], workflow: row[3], title: row[4],
                deleted: row[5], conflicted: row[6],
                created: HybridTimestamp(rawValue: UInt64(bitPattern: row[7])),
                updated: HybridTimestamp(rawValue: UInt64(bitPattern: row[8]))))
        }
        return summaries
    }

    /// Every record with a conflict to resolve, by id.
    public func conflictedRecords() throws -> [RecordState] {
        try Data.fetchAll(try db.cachedStatement(sql: "SELECT id FROM record WHERE conflicted = 1 ORDER BY id"))
            .compactMap { try record(RecordID(data: $0)) }
    }

    /// The record's heads: its changes no other change depends on, sorted.
    public func heads(of record: RecordID) throws -> [ChangeHash] {
        let statement = try db.cachedStatement(sql: "SELECT heads FROM record WHERE id = ?")
        guard let heads = try Data.fetchOne(statement, arguments: [record.data]) else { return [] }
        return try [Hash256](concatenated: heads)
    }

    /// How many records (the trust record left out), conflicted records,
    /// pending and rejected changes this replica holds.
    public func counts() throws -> ReplicaCounts {
        let row = try Row.fetchOne(try db.cachedStatement(sql: """
            SELECT (SELECT count(*) FROM record WHERE type <> ?1), (SELECT count(*) FROM record WHERE conflicted = 1),
                   (SELECT count(*) FROM pending), (SELECT count(*) FROM rejected)
            """), arguments: [TrustRecord.type])
        return ReplicaCounts(records: row?[0] ?? 0, conflicted: row?[1] ?? 0, pending: row?[2] ?? 0, rejected: row?[3] ?? 0)
    }

    /// How many records this replica holds.
    public func recordCount() throws -> Int {
        try Int.fetchOne(try db.cachedStatement(sql: "SELECT count(*) FROM record")) ?? 0
    }

    // MARK: Changes

    /// The changes of `record` (or of every record), in the order this replica applied them.
    public func changes(of record: RecordID? = nil) throws -> [StoredChange] {
        let rows: RowCursor
        if let record {
            rows = try Row.fetchCursor(
                db.cachedStatement(sql: "SELECT seq, bundle_id, \(BodyBlocks.columns) FROM change WHERE record = ? ORDER BY seq"), arguments: [record.data])
        } else {
            rows = try Row.fetchCursor(db, sql: "SELECT seq, bundle_id, \(BodyBlocks.columns) FROM change ORDER BY seq")
        }
        var result: [StoredChange] = []
        while let row = try rows.next() {
            result.append(StoredChange(sequence: row[0], encoded: try bodies.change(row, at: 2), bundleID: row[1]))
        }
        return result
    }

    /// The change a `body` column of `pending` or `rejected` holds, packed from `size` bytes (``PackedBlob``).
    static func decodeStored(_ body: Data, size: Int) throws -> EncodedChange {
        let bytes = try PackedBlob.unpack(body, size: size)
        do {
            return try EncodedChange(bytes: bytes)
        } catch {
            throw StoreError(.corrupt, "a stored change is damaged: \(error)")
        }
    }

    /// Who made each of `hashes` and when (changes this replica holds).
    public func changeSummaries(_ hashes: [ChangeHash]) throws -> [ChangeHash: ChangeSummary] {
        var result: [ChangeHash: ChangeSummary] = [:]
        let statement = try db.cachedStatement(sql: "SELECT author, participant, site, hlc FROM change WHERE hash = ?")
        for hash in Set(hashes) {
            guard let row = try Row.fetchOne(statement, arguments: [hash.data]) else { continue }
            result[hash] = ChangeSummary(
                hash: hash, author: row[0], participant: row[1], site: try SiteID(data: row[2]),
                timestamp: HybridTimestamp(rawValue: UInt64(bitPattern: row[3])))
        }
        return result
    }

    /// How many changes the log holds.
    public func changeCount() throws -> Int {
        try Int.fetchOne(try db.cachedStatement(sql: "SELECT count(*) FROM change")) ?? 0
    }

    /// Whether the log holds change `hash`.
    public func contains(_ hash: ChangeHash) throws -> Bool {
        try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM change WHERE hash = ?"), arguments: [hash.data]) ?? false
    }

    // MARK: Pending and bundles

    /// What is pending and what it waits for.
    public func pendingSummary() throws -> PendingSummary {
        let count = try Int.fetchOne(try db.cachedStatement(sql: "SELECT count(*) FROM pending")) ?? 0
        // What pending changes wait for and this replica does not hold at all (not pending itself).
        let missing = try Data.fetchAll(try db.cachedStatement(sql: """
            SELECT DISTINCT dep FROM pending_dep WHERE dep NOT IN (SELECT hash FROM pending) ORDER BY dep
            """)).map { try Hash256(data: $0) }
        let records = try Data.fetchAll(try db.cachedStatement(sql: "SELECT DISTINCT record FROM pending ORDER BY record")).map { try RecordID(data: $0) }
        return PendingSummary(count: count, missing: missing, records: records)
    }

    /// The ledger entry of the bundle with `checksum`, if it was applied.
    public func bundle(checksum: Hash256) throws -> BundleReceipt? {
        try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM bundle WHERE checksum = ?"), arguments: [checksum.data]).map(Self.receipt)
    }

    /// Every bundle applied, in order.
    public func bundles() throws -> [BundleReceipt] {
        try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM bundle ORDER BY id")).map(Self.receipt)
    }

    private static func receipt(_ row: Row) throws -> BundleReceipt {
        BundleReceipt(
            id: row["id"], checksum: try Hash256(data: row["checksum"]), senderSite: try SiteID(data: row["sender_site"]),
            senderParticipant: row["sender_participant"],
            created: HybridTimestamp(rawValue: UInt64(bitPattern: row["created_hlc"])),
            appliedAt: row["applied_at"], fileName: row["file_name"], changeCount: row["change_count"],
            newChanges: row["new_changes"], pendingChanges: row["pending_changes"])
    }

    // MARK: Digest

    /// `gfmd digest`: SHA-256 over the merged state of every record (``StateDigest``).
    public func digest() throws -> String {
        try digest { _ in .whole }
    }

    /// How much of a record a digest covers.
    enum DigestPart {
        case whole
        case within(Set<ChangeHash>)
        case none
    }

    /// The digest over the records `part` selects, each whole or restricted
    /// to some of its changes.
    func digest(_ part: (RecordID) throws -> DigestPart) throws -> String {
        var digest = StateDigest()
        let records = try Row.fetchCursor(db, sql: "SELECT id, state, state_size, tail_changes FROM record ORDER BY id")
        while let record = try records.next() {
            let id = try RecordID(data: record[0])
            switch try part(id) {
            case .whole where (record[3] as Int) == 0:
                digest.add(record: id, encodedState: try PackedBlob.unpack(record[1], size: record[2]))
            case .whole:
                if let state = try StoredRecord.load(id, from: db)?.state { digest.add(state) }
            case .within(let changes):
                if let state = try state(of: id, within: changes) { digest.add(state) }
            case .none:
                continue
            }
        }
        return digest.finalize()
    }
}

extension StoreReader {
    /// The shortest hexadecimal prefixes, of at least `minimum` digits, that
    /// name each of `ids` and no other record this replica holds: one read
    /// of the ids in order, for a listing.
    public func uniquePrefixLengths(of ids: [RecordID], minimum: Int = 8) throws -> [RecordID: Int] {
        let all = try Data.fetchAll(try db.cachedStatement(sql: "SELECT id FROM record ORDER BY id")).map { try RecordID(data: $0) }
        var lengths: [RecordID: Int] = [:]
        for id in ids {
            // The first index not below id: its neighbours in order share the longest prefixes with it.
            var low = 0, high = all.count
            while low < high {
                let middle = (low + high) / 2
                if all[middle] < id { low = middle + 1 } else { high = middle }
            }
            let neighbours = [low - 1, low + (low < all.count && all[low] == id ? 1 : 0)].filter { all.indices.contains($0) }.map { all[$0] }
            lengths[id] = Self.prefixLength(of: id, besides: neighbours, minimum: minimum)
        }
        return lengths
    }

    /// The digits of `id` needed to tell it from `neighbours`, at least `minimum`.
    static func prefixLength(of id: RecordID, besides neighbours: [RecordID], minimum: Int) -> Int {
        var shared = 0
        for neighbour in neighbours {
            // Equal leading bits, four to a hexadecimal digit.
            let high = id.words.0 ^ neighbour.words.0, low = id.words.1 ^ neighbour.words.1
            shared = max(shared, (high != 0 ? high.leadingZeroBitCount : 64 + low.leadingZeroBitCount) / 4)
        }
        return min(32, max(minimum, shared + 1))
    }

    /// The shortest hexadecimal prefix, of at least `minimum` digits, that
    /// names record `id` and no other record this replica holds.
    public func uniquePrefixLength(of id: RecordID, minimum: Int = 8) throws -> Int {
        let before = try Data.fetchOne(try db.cachedStatement(sql: "SELECT id FROM record WHERE id < ? ORDER BY id DESC LIMIT 1"), arguments: [id.data])
        let after = try Data.fetchOne(try db.cachedStatement(sql: "SELECT id FROM record WHERE id > ? ORDER BY id LIMIT 1"), arguments: [id.data])
        return Self.prefixLength(of: id, besides: try [before, after].compactMap { try $0.map { try RecordID(data: $0) } }, minimum: minimum)
    }
}
