import Foundation
import GFMDCore
import GRDB

/// One apply in progress: receives changes in any order, authorises each once
/// its dependencies are present (from its causal past, `Protocol/trust.md`),
/// applies it or keeps it as rejected, and writes the touched records back at
/// the end.
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

    /// What an apply does with a change that may not or cannot be applied.
    enum Policy {
        /// Local edits: an unauthorised change is refused with its reason.
        case refuse
        /// Changes received: a change that breaks a rule of changes.md or
        /// trust.md, decided from its causal past, is kept as rejected, the
        /// same on every replica whatever order changes arrive in.
        /// It is also how `gfmd verify` replays what a replica holds.
        case receive
    }

    private let db: Database
    private let bundleID: Int64?
    private let cache: RecordCache
    private let trust: TrustIndex
    private let policy: Policy
    private var slots: [RecordID: Slot] = [:]
    /// Changes applied during this session: their records and trust frontiers.
    private var applied: [ChangeHash: (record: RecordID, frontier: [ChangeHash])] = [:]
    /// Records and trust frontiers of stored changes this session looked up.
    private var stored: [ChangeHash: (record: RecordID, frontier: [ChangeHash])] = [:]
    private var rejectedHere: Set<ChangeHash> = []
    private var waiting: [ChangeHash: Waiting] = [:]
    private var waitersByDependency: [ChangeHash: [ChangeHash]] = [:]
    private var storedPendingCount: Int
    private var hasRejected: Bool
    private var report = ApplyReport()

    init(db: Database, bundleID: Int64?, cache: RecordCache, trust: TrustIndex, policy: Policy) throws {
        self.db = db
        self.bundleID = bundleID
        self.cache = cache
        self.policy = policy
        self.trust = trust
        storedPendingCount = try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM pending")) ?? 0
        hasRejected = try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM rejected)")) ?? false
    }

    private enum Dependency { case present, missing, rejected }

    /// Takes one incoming change.
    func receive(_ change: EncodedChange, commitID: Int64, leafIndex: Int) throws {
        let hash = change.hash
        let alreadyHeld = try applied[hash] != nil || waiting[hash] != nil || rejectedHere.contains(hash) || isHeld(hash)
        if alreadyHeld {
            report.duplicates += 1
            return
        }
        var missing = Set<ChangeHash>()
        var rejectedDependency: ChangeHash?
        for dependency in change.change.dependencies {
            switch try status(of: dependency, for: change) {
            case .present: continue
            case .missing: missing.insert(dependency)
            case .rejected: rejectedDependency = dependency
            }
        }
        if let rejectedDependency {
            let error = AuthorizationError(.dependsOnRejected, "it depends on change \(rejectedDependency.short), which was rejected")
            if policy == .refuse { throw error }
            try reject(change, commitID: commitID, leafIndex: leafIndex, bundleID: bundleID, code: error.code.name, reason: error.reason)
            try rejectWaiters(of: hash)
        } else if missing.isEmpty {
            if try apply(change, commitID: commitID, leafIndex: leafIndex) {
                try release(after: hash)
            } else {
                try rejectWaiters(of: hash)
            }
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
        return try isStoredRejected(hash)
    }

    private func isStoredRejected(_ hash: ChangeHash) throws -> Bool {
        try hasRejected && Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM rejected WHERE hash = ?"), arguments: [hash.data]) == true
    }

    /// Whether dependency `hash` of `change` has been applied, was rejected,
    /// or is still to come.
    private func status(of hash: ChangeHash, for change: EncodedChange) throws -> Dependency {
        if try held(hash) != nil { return .present }
        if try rejectedHere.contains(hash) || isStoredRejected(hash) { return .rejected }
        return .missing
    }

    /// The record and trust frontier of applied change `hash`: from this
    /// session, else from the log (kept for the rest of the session).
    private func held(_ hash: ChangeHash) throws -> (record: RecordID, frontier: [ChangeHash])? {
        if let entry = applied[hash] ?? stored[hash] { return entry }
        let statement = try db.cachedStatement(sql: "SELECT record, trust_frontier FROM change WHERE hash = ?")
        guard let row = try Row.fetchOne(statement, arguments: [hash.data]) else { return nil }
        let entry = (record: try RecordID(data: row[0]), frontier: try [Hash256](concatenated: row[1]))
        stored[hash] = entry
        return entry
    }

    /// The latest trust-record changes in `change`'s causal past, whose
    /// dependencies are all applied.
    private func frontier(of change: EncodedChange) throws -> [ChangeHash] {
        var latest = Set<ChangeHash>()
        for dependency in change.change.dependencies {
            if trust.contains(dependency) {
                latest.insert(dependency)
            } else if let frontier = try held(dependency)?.frontier {
                latest.formUnion(frontier)
            }
        }
        return trust.maximal(latest)
    }

    /// The dependencies of `change` (all applied) on its own record, after
    /// checking that the others are trust-record changes (`Protocol/changes.md`, rule 5).
    private func recordDependencies(of change: EncodedChange) throws -> [ChangeHash] {
        let c = change.change
        var own: [ChangeHash] = []
        for dependency in c.dependencies {
            let record = try held(dependency)?.record
            if record == c.record {
                own.append(dependency)
            } else if record != trust.record {
                throw ChangeError(.foreignDependency, change: change.hash,
                    "it depends on change \(dependency.short) of another record (\(record?.short ?? "unknown"))")
            }
        }
        guard c.record != trust.record else { return own }
        if c.creation != nil, !own.isEmpty {
            throw ChangeError(.foreignDependency, change: change.hash, "a change creating its record depends only on trust-record changes")
        }
        if c.creation == nil, own.isEmpty {
            throw ChangeError(.missingCreate, change: change.hash,
                "it edits record \(c.record.short) but depends on none of its changes: no create of it is in its causal past")
        }
        return own
    }

    /// The sequence insertions of the record's changes outside `change`'s
    /// causal past (`Protocol/changes.md`, rule 8): an edit naming what they
    /// inserted is refused, and an insertion taking the ids one of them took
    /// gives both their element labels, so every replica judges the change
    /// alike whether or not those changes arrived first. Looked up only when
    /// the record holds changes the change did not see (its dependencies are
    /// not the record's heads).
    private func concurrentInsertions(of change: EncodedChange, recordDependencies: [ChangeHash], state: RecordState) throws -> ConcurrentInsertions {
        guard change.change.hasSequenceEdits, Set(recordDependencies) != slots[change.change.record]!.record.heads else { return [:] }
        // The record's changes outside the causal past are the ancestors of the
        // heads it does not depend on that are not its ancestors. The log's
        // order is causal, so walking it backwards from the newest change marks
        // each change before meeting it, and the walk stops once no unseen
        // branch is left: usually after the few newest changes.
        var past = Set(recordDependencies)
        var unseenBranches = slots[change.change.record]!.record.heads.subtracting(past)
        var concurrent: ConcurrentInsertions = [:]
        let rows = try Row.fetchCursor(db.cachedStatement(sql: "SELECT hash, deps, body FROM change WHERE record = ? ORDER BY seq DESC"),
                                       arguments: [change.change.record.data])
        while !unseenBranches.isEmpty, let row = try rows.next() {
            let hash = try Hash256(data: row[0])
            let dependencies = try [Hash256](concatenated: row[1]).filter { !trust.contains($0) }
            if past.contains(hash) {
                past.formUnion(dependencies)
                unseenBranches.remove(hash)
            } else if unseenBranches.remove(hash) != nil {
                unseenBranches.formUnion(dependencies)
                let inserted = try StoreReader.decodeStored(row[2]).change.insertedElements
                guard !inserted.isEmpty else { continue }
                concurrent[hash] = try inserted.map { target, range in
                    (try state.heldTarget(target, of: hash) { try StoreHistory(db: db).ancestry(of: dependencies) }, range)
                }
            }
        }
        return concurrent
    }

    /// The record's type and owner as the creates and settlements in the
    /// causal past of `change` give them (`Protocol/changes.md`, rule 6).
    ///
    /// While the record was never contested, the header says it; once its
    /// creates disagreed, or for a settlement, the record's changes among the
    /// change's ancestors are looked up.
    private func identity(of change: EncodedChange, recordDependencies: [ChangeHash], state: RecordState) throws -> RecordIdentity {
        let settles = change.change.operations.contains { $0.field == Settlement.field }
        if let creation = change.change.creation, !settles { return RecordIdentity(type: creation.type, owner: creation.owner) }
        // A settlement is judged on the whole causal past, even on a record never contested.
        if !settles, !state.header.isContested, state.registerField(Settlement.field) == nil { return state.header.identity }
        let ancestry = try StoreHistory(db: db).ancestry(of: recordDependencies)
        var past: [EncodedChange] = []
        let rows = try Row.fetchCursor(db, sql: "SELECT hash, body FROM change WHERE record = ?", arguments: [change.change.record.data])
        while let row = try rows.next() {
            guard ancestry.contains(try Hash256(data: row[0])) else { continue }
            past.append(try StoreReader.decodeStored(row[1]))
        }
        return try RecordIdentity.seen(by: change, past: past)
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
                    if try apply(entry.change, commitID: entry.commitID, leafIndex: entry.leafIndex) {
                        queue.append(waiter)
                    } else {
                        try rejectWaiters(of: waiter)
                    }
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
            guard remaining == 0, let (change, commitID, leafIndex, bundleID) = try takePending(waiterData) else { continue }
            if try apply(change, commitID: commitID, leafIndex: leafIndex, bundleID: bundleID) {
                report.releasedFromPending += 1
                released.append(change.hash)
            } else {
                try rejectWaiters(of: change.hash)
            }
        }
        return released
    }

    /// Removes a stored pending change and returns it.
    private func takePending(_ hash: Data) throws -> (EncodedChange, Int64, Int, Int64?)? {
        guard let row = try Row.fetchOne(db, sql: "SELECT commit_id, leaf_index, bundle_id, body FROM pending WHERE hash = ?", arguments: [hash]) else {
            return nil
        }
        try db.execute(sql: "DELETE FROM pending WHERE hash = ?", arguments: [hash])
        try db.execute(sql: "DELETE FROM pending_dep WHERE hash = ?", arguments: [hash])
        storedPendingCount -= 1
        return (try StoreReader.decodeStored(row[3]), row[0], row[1], row[2])
    }

    /// Rejects every change waiting, here or in earlier applies, on rejected change `hash`.
    private func rejectWaiters(of hash: ChangeHash) throws {
        var queue = [hash]
        while let next = queue.popLast() {
            let reason = "it depends on change \(next.short), which was rejected"
            for waiter in waitersByDependency.removeValue(forKey: next) ?? [] {
                guard let entry = waiting.removeValue(forKey: waiter) else { continue }
                try reject(entry.change, commitID: entry.commitID, leafIndex: entry.leafIndex, bundleID: bundleID,
                           code: AuthorizationError.Code.dependsOnRejected.name, reason: reason)
                queue.append(waiter)
            }
            guard storedPendingCount > 0 else { continue }
            for waiterData in try Data.fetchAll(db, sql: "SELECT hash FROM pending_dep WHERE dep = ?", arguments: [next.data]) {
                guard let (change, commitID, leafIndex, bundleID) = try takePending(waiterData) else { continue }
                try reject(change, commitID: commitID, leafIndex: leafIndex, bundleID: bundleID,
                           code: AuthorizationError.Code.dependsOnRejected.name, reason: reason)
                queue.append(change.hash)
            }
        }
    }

    /// Keeps `change` in the rejected table: never applied, never lost.
    private func reject(_ change: EncodedChange, commitID: Int64, leafIndex: Int, bundleID: Int64?, code: String, reason: String) throws {
        try db.execute(sql: """
            INSERT OR IGNORE INTO rejected(hash, record, commit_id, leaf_index, bundle_id, code, reason, rejected_seq, body, site, hlc)
            VALUES (?, ?, ?, ?, ?, ?, ?, (SELECT coalesce(max(rejected_seq), 0) + 1 FROM rejected), ?, ?, ?)
            """, arguments: [change.hash.data, change.change.record.data, commitID, leafIndex, bundleID, code, reason, Data(change.bytes),
                             change.change.site.data, Int64(bitPattern: change.change.timestamp.rawValue)])
        cache.sites.note(change.change.site, at: change.change.timestamp)
        rejectedHere.insert(change.hash)
        report.rejected += 1
        hasRejected = true
    }

    /// Applies a change received (or made) in this session; false when it was rejected.
    private func apply(_ change: EncodedChange, commitID: Int64, leafIndex: Int) throws -> Bool {
        let applied = try apply(change, commitID: commitID, leafIndex: leafIndex, bundleID: bundleID)
        if applied { report.applied += 1 }
        return applied
    }

    /// Authorises and applies `change`; false when it was rejected.
    private func apply(_ change: EncodedChange, commitID: Int64, leafIndex: Int, bundleID: Int64?) throws -> Bool {
        let record = change.change.record
        let frontier: [ChangeHash]
        let labelling: ElementLabelling?
        do {
            // The rules of changes.md first, then those of trust.md, each from the causal past alone.
            let dependencies = try recordDependencies(of: change)
            if slots[record] == nil { slots[record] = Slot(record: try load(for: change)) }
            let state = slots[record]!.record.state
            let identity = try identity(of: change, recordDependencies: dependencies, state: state)
            let concurrent = try concurrentInsertions(of: change, recordDependencies: dependencies, state: state)
            do {
                labelling = try state.labelling(of: change.change, hash: change.hash, concurrent: concurrent)
            } catch {
                throw error.attributed(to: change.hash)
            }
            try state.validate(change, seenAs: identity, labelling: labelling)
            frontier = try self.frontier(of: change)
            try authorize(change, identity: identity, frontier: frontier)
        } catch let error as any ChangeVerdict {
            if policy == .refuse { throw error }
            if let slot = slots[record], !slot.changed, slot.record.lastSequence == 0 { slots[record] = nil }
            try reject(change, commitID: commitID, leafIndex: leafIndex, bundleID: bundleID, code: error.codeName, reason: error.reason)
            return false
        }
        // Modified in place through the dictionary, so a long text is not copied.
        try slots[record]!.record.state.apply(validated: change, history: StoreHistory(db: db), labelling: labelling)
        self.applied[change.hash] = (record, frontier)
        let insert = try db.cachedStatement(sql: """
            INSERT INTO change(hash, record, site, participant, author, hlc, deps, edits, commit_id, leaf_index, bundle_id, trust_frontier, body, accepts, ops)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let c = change.change
        try insert.execute(arguments: [
            change.hash.data, record.data, c.site.data, c.participant, c.author,
            Int64(bitPattern: c.timestamp.rawValue), c.dependencies.concatenatedData, c.editsFields,
            commitID, leafIndex, bundleID, frontier.concatenatedData, Data(change.bytes), c.accepts,
            FieldHistory.json(of: c, in: slots[record]!.record.state),
        ])
        cache.sites.note(c.site, at: c.timestamp)
        if record == trust.record { trust.add(change) }
        slots[record]!.record.noteApplied(change, sequence: db.lastInsertedRowID)
        slots[record]!.changed = true
        return true
    }

    /// Checks that `change`'s author was allowed to make it, from its causal past.
    private func authorize(_ change: EncodedChange, identity: RecordIdentity, frontier: [ChangeHash]) throws {
        let context = Authorizer.Context(
            root: trust.root, trust: trust.state(at: frontier), identity: change.change.creation == nil ? identity : nil,
            governance: { [self] in try governance(before: change) })
        try Authorizer.check(change.change, record: change.change.record, in: context)
    }

    /// Co-authors and work-flow state of `change`'s record at its dependencies.
    private func governance(before change: EncodedChange) throws -> Governance {
        let slot = slots[change.change.record]!.record
        let recordDependencies = change.change.dependencies.filter { !trust.contains($0) }
        let current = Governance(slot.state)
        // The record's state holds every change applied, so the causal past of
        // any change: without governance operations so far, there is none in it.
        if current == Governance() || Set(recordDependencies) == slot.heads { return current }
        let past = try StoreHistory(db: db).ancestry(of: recordDependencies)
        var governance = Governance()
        let rows = try Row.fetchCursor(db, sql: "SELECT hash, body FROM change WHERE record = ?", arguments: [change.change.record.data])
        while let row = try rows.next() {
            guard past.contains(try Hash256(data: row[0])) else { continue }
            governance.apply(try StoreReader.decodeStored(row[1]))
        }
        return governance
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
                INSERT INTO pending(hash, record, commit_id, leaf_index, bundle_id, body, site, hlc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [hash.data, entry.change.change.record.data, entry.commitID, entry.leafIndex, bundleID, Data(entry.change.bytes),
                                 entry.change.change.site.data, Int64(bitPattern: entry.change.change.timestamp.rawValue)])
            cache.sites.note(entry.change.change.site, at: entry.change.change.timestamp)
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
