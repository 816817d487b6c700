import Foundation
import GFMDCore
import GRDB

/// What a replica's database holds, as ``Admission`` asks it, within one
/// apply's transaction: the log, the pending and rejected changes, and the
/// records (their rows kept here, their states by the machine).
///
/// What the machine asks of every change it takes (whether the replica
/// holds it, the record it edits) is looked up for all of them when the
/// apply starts, so that the rows the apply appends are written on another
/// core meanwhile (``AppendLane``); any other question settles the lane
/// first.
final class StoreLedger: AdmissionLedger {
    private let db: Database
    private let lane: AppendLane
    private let cache: RecordCache
    private let history: StoreHistory
    /// Reads the log's bodies, those this apply appended among them.
    private let bodies: LogBodies
    /// Pending changes kept by earlier applies, still in the database.
    private(set) var storedPendingCount: Int
    private var hasRejected: Bool
    /// Rows of the records asked for or appended to, their states left to the machine.
    private var rows: [RecordID: StoredRecord] = [:]
    /// Records written back, with their states.
    private var writtenRecords: [StoredRecord] = []
    /// The changes the apply takes, and those of them the replica held before it.
    private let incoming: Set<ChangeHash>
    private let heldBefore: Set<ChangeHash>
    /// The records of the incoming changes not held, looked up when the apply
    /// started (nil: not in the replica), until the machine asks for them.
    private var prefetched: [RecordID: (state: RecordState, heads: Set<ChangeHash>)?] = [:]

    /// A ledger for an apply taking `incoming`, whose rows go through `lane`.
    init(db: Database, cache: RecordCache, blocks: BodyBlockWriter, lane: AppendLane, incoming: [EncodedChange]) throws {
        self.db = db
        self.cache = cache
        self.lane = lane
        bodies = LogBodies(db, unwritten: blocks)
        history = StoreHistory(db: db)
        let pending = try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM pending")) ?? 0
        let rejected = try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM rejected)")) ?? false
        let held = try Self.held(of: incoming, db: db, pending: pending > 0, rejected: rejected)
        storedPendingCount = pending
        hasRejected = rejected
        self.incoming = Set(incoming.map(\.hash))
        heldBefore = held
        // Each record once, by its cached statement: one `IN` query for all
        // of them was parsed and planned anew for every bundle.
        for change in incoming where !held.contains(change.hash) && prefetched.index(forKey: change.change.record) == nil {
            prefetched[change.change.record] = .some(try load(change.change.record))
        }
    }

    /// Which of `incoming` the replica holds (in its log, pending or
    /// rejected): per site, the ids its tables hold between the earliest and
    /// the latest time of its incoming changes, read by range on their
    /// `(site, hlc)` indexes, one query per site and table (a bundle of new
    /// changes finds nothing at once, where a look-up per change cost 4 % of
    /// a W2 merge); a site whose range holds many more changes than
    /// arrive is looked up change by change.
    private static func held(of incoming: [EncodedChange], db: Database, pending: Bool, rejected: Bool) throws -> Set<ChangeHash> {
        var bySite: [SiteID: (earliest: Int64, latest: Int64, hashes: [ChangeHash])] = [:]
        for change in incoming {
            let time = Int64(bitPattern: change.change.timestamp.rawValue)
            // Taken out and put back, so that its list grows in place.
            var range = bySite.removeValue(forKey: change.change.site) ?? (time, time, [])
            range.earliest = min(range.earliest, time)
            range.latest = max(range.latest, time)
            range.hashes.append(change.hash)
            bySite[change.change.site] = range
        }
        let tables = ["change"] + (pending ? ["pending"] : []) + (rejected ? ["rejected"] : [])
        var held = Set<ChangeHash>()
        for (site, range) in bySite {
            let wanted = Set(range.hashes)
            let limit = 4 * wanted.count + 16
            var found = Set<ChangeHash>()
            var complete = true
            for table in tables where complete {
                let statement = try db.cachedStatement(sql: "SELECT hash FROM \(table) WHERE site = ? AND hlc BETWEEN ? AND ? LIMIT ?")
                let hashes = try Data.fetchAll(statement, arguments: [site.data, range.earliest, range.latest, limit])
                complete = hashes.count < limit
                for data in hashes { if let hash = try? Hash256(data: data), wanted.contains(hash) { found.insert(hash) } }
            }
            held.formUnion(complete ? found : try wanted.filter { try Self.holds($0, db: db, pending: pending, rejected: rejected) })
        }
        return held
    }

    // MARK: Questions

    func holds(_ hash: ChangeHash) throws -> Bool {
        if incoming.contains(hash) { return heldBefore.contains(hash) }
        try lane.settle()
        return try Self.holds(hash, db: db, pending: storedPendingCount > 0, rejected: hasRejected)
    }

    /// Whether the log, the pending changes or the rejected ones hold `hash`.
    private static func holds(_ hash: ChangeHash, db: Database, pending: Bool, rejected: Bool) throws -> Bool {
        let key = [hash.data.databaseValue]
        if try db.cachedStatement(sql: "SELECT 1 FROM change WHERE hash = ?").hasRow(key) {
            return true
        }
        if pending, try db.cachedStatement(sql: "SELECT 1 FROM pending WHERE hash = ?").hasRow(key) {
            return true
        }
        return try rejected && db.cachedStatement(sql: "SELECT 1 FROM rejected WHERE hash = ?").hasRow(key)
    }

    func isRejected(_ hash: ChangeHash) throws -> Bool {
        guard hasRejected else { return false }
        try lane.settle()
        return try db.cachedStatement(sql: "SELECT 1 FROM rejected WHERE hash = ?").hasRow([hash.data.databaseValue])
    }

    func applied(_ hash: ChangeHash) throws -> (record: RecordID, frontier: [ChangeHash])? {
        try lane.settle()
        let statement = try db.cachedStatement(sql: "SELECT record, trust_frontier FROM change WHERE hash = ?")
        guard let row = try Row.fetchOne(statement, arguments: [hash.data]) else { return nil }
        return (try RecordID(data: row[0]), try [Hash256](concatenated: row[1]))
    }

    /// The record: from the cache when it is current, else from the database.
    /// Its row stays here without its state, which the machine keeps (one
    /// copy of a long text, modified in place).
    func record(_ id: RecordID) throws -> (state: RecordState, heads: Set<ChangeHash>)? {
        if let prefetched = prefetched.removeValue(forKey: id) { return prefetched }
        try lane.settle()
        return try load(id)
    }

    private func load(_ id: RecordID) throws -> (state: RecordState, heads: Set<ChangeHash>)? {
        var loaded: StoredRecord
        if let cached = cache.take(id), let heads = try StoredRecord.heads(of: id, in: db), heads == cached.heads.sorted().concatenatedData {
            loaded = cached
        } else if let stored = try StoredRecord.load(id, from: db, bodies: bodies) {
            loaded = stored
        } else {
            return nil
        }
        let state = loaded.state
        loaded.state = RecordState(id: id, header: state.header, fields: [:])
        rows[id] = loaded
        return (state, loaded.heads)
    }

    func forEachChange(
        of id: RecordID, newestFirst body: (ChangeHash, [ChangeHash], () throws -> EncodedChange) throws -> Bool
    ) throws {
        try lane.settle()
        let rows = try Row.fetchCursor(
            db.cachedStatement(sql: "SELECT hash, deps, \(BodyBlocks.columns) FROM change WHERE record = ? ORDER BY seq DESC"), arguments: [id.data])
        while let row = try rows.next(),
              try body(try Hash256(data: row[0]), try [Hash256](concatenated: row[1]), { try bodies.change(row, at: 2) }) {}
    }

    func pending(waitingFor dependency: ChangeHash) throws -> [(change: EncodedChange, tag: Arrival, missing: Set<ChangeHash>)] {
        guard storedPendingCount > 0 else { return [] }
        try lane.settle()
        var entries: [(change: EncodedChange, tag: Arrival, missing: Set<ChangeHash>)] = []
        for waiter in try Data.fetchAll(db, sql: "SELECT hash FROM pending_dep WHERE dep = ?", arguments: [dependency.data]) {
            guard let row = try Row.fetchOne(db, sql: "SELECT commit_id, leaf_index, bundle_id, body, size FROM pending WHERE hash = ?", arguments: [waiter]) else {
                continue
            }
            let missing = try Data.fetchAll(db, sql: "SELECT dep FROM pending_dep WHERE hash = ?", arguments: [waiter]).map { try Hash256(data: $0) }
            entries.append((try StoreReader.decodeStored(row[3], size: row[4]), Arrival(commitID: row[0], leafIndex: row[1], bundleID: row[2]), Set(missing)))
        }
        return entries
    }

    func editingChanges(of record: RecordID) throws -> [ChangeHash] {
        try lane.settle()
        return try history.editingChanges(of: record)
    }

    func ancestry(of changes: [ChangeHash]) throws -> Set<ChangeHash> {
        try lane.settle()
        return try history.ancestry(of: changes)
    }

    // MARK: Carrying out

    /// Notes that `change` was appended to the log as `sequence`.
    func noteApplied(_ change: EncodedChange, sequence: Int64, header: RecordHeader) {
        let id = change.change.record
        if rows[id] == nil { rows[id] = StoredRecord(creating: RecordState(id: id, header: header, fields: [:])) }
        rows[id]!.noteApplied(change, sequence: sequence)
    }

    /// Keeps `change` in the rejected table: never applied, never lost.
    func reject(_ change: EncodedChange, arrival: Arrival, code: String, reason: String) throws {
        try lane.settle()
        try db.execute(sql: """
            INSERT OR IGNORE INTO rejected(hash, record, commit_id, leaf_index, bundle_id, code, reason, rejected_seq, body, size, site, hlc)
            VALUES (?, ?, ?, ?, ?, ?, ?, (SELECT coalesce(max(rejected_seq), 0) + 1 FROM rejected), ?, ?, ?, ?)
            """, arguments: [change.hash.data, change.change.record.data, arrival.commitID, arrival.leafIndex, arrival.bundleID, code, reason,
                             PackedBlob.pack(change.bytes), change.bytes.count, change.change.site.data, Int64(bitPattern: change.change.timestamp.rawValue)])
        if db.changesCount > 0 {
            cache.sites.noteStored(change.hash, of: change.change.site, at: change.change.timestamp)
        }
        hasRejected = true
    }

    /// Removes a pending change an earlier apply kept.
    func unpend(_ hash: ChangeHash) throws {
        try lane.settle()
        try db.execute(sql: "DELETE FROM pending WHERE hash = ?", arguments: [hash.data])
        try db.execute(sql: "DELETE FROM pending_dep WHERE hash = ?", arguments: [hash.data])
        storedPendingCount -= 1
    }

    /// A record to write back: its row with its new state, and the row's values.
    struct RecordWrite {
        var row: StoredRecord
        let values: StoredRecord.RowValues
    }

    /// The rows of `records` with their new states, and their values
    /// encoded; touches no database (the lane may still be writing).
    func prepare(_ records: [(id: RecordID, state: RecordState, heads: Set<ChangeHash>)]) -> [RecordWrite] {
        let rows = records.map { id, state, heads in
            var row = self.rows[id] ?? StoredRecord(creating: state)
            if row.state.header.owner != state.header.owner { cache.sites.forgetReaders() }
            row.state = state
            row.heads = heads
            return row
        }
        return zip(rows, StoredRecord.rowValues(of: rows)).map(RecordWrite.init)
    }

    /// Writes records back (``prepare(_:)``).
    func write(_ records: [RecordWrite]) throws {
        try lane.settle()
        for var record in records {
            try record.row.write(record.values, to: db)
            writtenRecords.append(record.row)
        }
    }

    /// The records written back that `keep` selects; the others, and what
    /// the ledger kept of every record, are freed on another core (their
    /// states were the last copies: W2 at 250 delegations, 2 % of the
    /// applying thread).
    func takeWrittenRecords(keeping keep: (StoredRecord) -> Bool) -> [StoredRecord] {
        let kept = writtenRecords.filter(keep)
        ReleasedElsewhere.release((rows, writtenRecords, prefetched))
        rows = [:]
        writtenRecords = []
        prefetched = [:]
        return kept
    }
}
