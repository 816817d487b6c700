import Foundation
import GFMDCore
import GRDB

/// One apply in progress: receives changes in any order, applies each once its
/// dependencies are present, and writes the touched records back at the end.
///
/// Record states are kept in memory for the whole apply, so a record touched
/// by many changes of a bundle is read and written once.
final class ApplySession {
    private struct Slot {
        var record: StoredRecord
        var changed = false
    }

    private struct Waiting {
        let change: EncodedChange
        let commitID: Int64
        let leafIndex: Int
        var missing: Set<ChangeHash>
    }

    private let db: Database
    private let bundleID: Int64?
    private let cache: RecordCache
    private var slots: [RecordID: Slot] = [:]
    /// Changes applied during this session, with their records.
    private var applied: [ChangeHash: RecordID] = [:]
    private var waiting: [ChangeHash: Waiting] = [:]
    private var waitersByDependency: [ChangeHash: [ChangeHash]] = [:]
    private var storedPendingCount: Int
    private var hasRejected: Bool
    private var report = ApplyReport()

    init(db: Database, bundleID: Int64?, cache: RecordCache) throws {
        self.db = db
        self.bundleID = bundleID
        self.cache = cache
        storedPendingCount = try Int.fetchOne(db, sql: "SELECT count(*) FROM pending") ?? 0
        hasRejected = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM rejected)") ?? false
    }

    /// Takes one incoming change.
    func receive(_ change: EncodedChange, commitID: Int64, leafIndex: Int) throws {
        let hash = change.hash
        let alreadyHeld = try applied[hash] != nil || waiting[hash] != nil || isHeld(hash)
        if alreadyHeld {
            report.duplicates += 1
            return
        }
        var missing = Set<ChangeHash>()
        for dependency in change.change.dependencies where try !isPresent(dependency, for: change) {
            missing.insert(dependency)
        }
        if missing.isEmpty {
            try apply(change, commitID: commitID, leafIndex: leafIndex)
            try release(after: hash)
        } else {
            waiting[hash] = Waiting(change: change, commitID: commitID, leafIndex: leafIndex, missing: missing)
            for dependency in missing { waitersByDependency[dependency, default: []].append(hash) }
        }
    }

    /// Whether this replica already holds `hash` in its log, its pending or its rejected changes.
    private func isHeld(_ hash: ChangeHash) throws -> Bool {
        let arguments: StatementArguments = [hash.data]
        if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM change WHERE hash = ?"), arguments: arguments) == true {
            return true
        }
        if storedPendingCount > 0,
           try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM pending WHERE hash = ?"), arguments: arguments) == true {
            return true
        }
        return try hasRejected && Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM rejected WHERE hash = ?"), arguments: arguments) == true
    }

    /// Whether dependency `hash` of `change` has been applied; refuses a
    /// dependency on another record.
    private func isPresent(_ hash: ChangeHash, for change: EncodedChange) throws -> Bool {
        let record: RecordID
        if let sessionRecord = applied[hash] {
            record = sessionRecord
        } else {
            let statement = try db.cachedStatement(sql: "SELECT record FROM change WHERE hash = ?")
            guard let data = try Data.fetchOne(statement, arguments: [hash.data]) else { return false }
            record = try RecordID(data: data)
        }
        guard record == change.change.record else {
            throw ChangeError(.foreignDependency, change: change.hash,
                "it depends on change \(hash.short) of another record (\(record.short))")
        }
        return true
    }

    /// Applies changes that waited for `hash`, and those they release in turn.
    private func release(after hash: ChangeHash) throws {
        var queue = [hash]
        while let next = queue.popLast() {
            for waiter in waitersByDependency.removeValue(forKey: next) ?? [] {
                guard var entry = waiting[waiter] else { continue }
                entry.missing.remove(next)
                if entry.missing.isEmpty {
                    waiting[waiter] = nil
                    try apply(entry.change, commitID: entry.commitID, leafIndex: entry.leafIndex)
                    queue.append(waiter)
                } else {
                    waiting[waiter] = entry
                }
            }
            if storedPendingCount > 0 {
                queue += try releaseStoredPending(after: next)
            }
        }
    }

    /// Applies pending changes from earlier applies that waited only for `hash`.
    private func releaseStoredPending(after hash: ChangeHash) throws -> [ChangeHash] {
        let waiters = try Data.fetchAll(db, sql: "SELECT hash FROM pending_dep WHERE dep = ?", arguments: [hash.data])
        try db.execute(sql: "DELETE FROM pending_dep WHERE dep = ?", arguments: [hash.data])
        var released: [ChangeHash] = []
        for waiterData in waiters {
            let remaining = try Int.fetchOne(db, sql: "SELECT count(*) FROM pending_dep WHERE hash = ?", arguments: [waiterData]) ?? 0
            guard remaining == 0,
                  let row = try Row.fetchOne(db, sql: "SELECT commit_id, leaf_index, bundle_id, body FROM pending WHERE hash = ?", arguments: [waiterData])
            else { continue }
            try db.execute(sql: "DELETE FROM pending WHERE hash = ?", arguments: [waiterData])
            storedPendingCount -= 1
            let change = try StoreReader.decodeStored(row[3])
            do {
                try apply(change, commitID: row[0], leafIndex: row[1], bundleID: row[2])
                report.releasedFromPending += 1
                released.append(change.hash)
            } catch let error as ChangeError {
                // The change was valid on arrival but not for the record it
                // turned out to edit: every replica reaches the same verdict.
                try db.execute(sql: """
                    INSERT INTO rejected(hash, record, commit_id, leaf_index, bundle_id, reason, body) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [change.hash.data, change.change.record.data, row[0], row[1], row[2], error.reason, row[3]])
                report.rejected += 1
                hasRejected = true
            }
        }
        return released
    }

    private func apply(_ change: EncodedChange, commitID: Int64, leafIndex: Int) throws {
        try apply(change, commitID: commitID, leafIndex: leafIndex, bundleID: bundleID)
        report.applied += 1
    }

    private func apply(_ change: EncodedChange, commitID: Int64, leafIndex: Int, bundleID: Int64?) throws {
        let record = change.change.record
        if slots[record] == nil { slots[record] = Slot(record: try load(for: change)) }
        // Modified in place through the dictionary, so a long text is not copied.
        try slots[record]!.record.state.apply(change, history: StoreHistory(db: db))
        applied[change.hash] = record
        let insert = try db.cachedStatement(sql: """
            INSERT INTO change(hash, record, site, participant, author, hlc, deps, edits, commit_id, leaf_index, bundle_id, body)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let c = change.change
        try insert.execute(arguments: [
            change.hash.data, record.data, c.site.data, c.participant, c.author,
            Int64(bitPattern: c.timestamp.rawValue), c.dependencies.concatenatedData, c.editsFields,
            commitID, leafIndex, bundleID, Data(change.bytes),
        ])
        slots[record]!.record.noteApplied(change, sequence: db.lastInsertedRowID)
        slots[record]!.changed = true
    }

    /// The record `change` applies to: from the cache when it is current,
    /// else from the database, else a new record the change creates.
    private func load(for change: EncodedChange) throws -> StoredRecord {
        let id = change.change.record
        if let cached = cache.take(id), let heads = try StoredRecord.heads(of: id, in: db),
           heads == cached.heads.sorted().concatenatedData {
            return cached
        }
        if let stored = try StoredRecord.load(id, from: db) { return stored }
        return StoredRecord(creating: try RecordState(creatingWith: change))
    }

    /// Keeps what still waits as pending and writes every touched record back.
    func finish() throws -> ApplyReport {
        for (hash, entry) in waiting {
            try db.execute(sql: """
                INSERT INTO pending(hash, record, commit_id, leaf_index, bundle_id, body) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [hash.data, entry.change.change.record.data, entry.commitID, entry.leafIndex, bundleID, Data(entry.change.bytes)])
            for dependency in entry.missing {
                try db.execute(sql: "INSERT INTO pending_dep(dep, hash) VALUES (?, ?)", arguments: [dependency.data, hash.data])
            }
        }
        report.heldPending = waiting.count
        for id in slots.keys where slots[id]!.changed {
            try slots[id]!.record.write(to: db)
        }
        report.recordsChanged = slots.filter(\.value.changed).keys.sorted()
        report.recordsConflicted = slots.filter { $0.value.changed && $0.value.record.state.isConflicted }.keys.sorted()
        if !waiting.isEmpty || storedPendingCount > 0 {
            report.missingDependencies = try StoreReader(db: db).pendingSummary().missing
        }
        return report
    }

    /// The records this apply loaded, to keep in memory once its transaction commits.
    var loadedRecords: [StoredRecord] {
        slots.values.map(\.record)
    }
}
