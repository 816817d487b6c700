import Foundation
import GFMDCore
import GRDB

/// One apply in progress, in one transaction: runs an ``Admission`` machine
/// over the replica's database (``StoreLedger``) and carries out what it
/// decides: appends to the log, rejections, pending changes, and the
/// touched records written back at the end.
///
/// Record states are kept in memory (by the machine) for the whole apply,
/// so a record touched by many changes of a bundle is read and written once.
/// The rows it appends are written on another core (``AppendLane``): the
/// ledger settles the lane before any other use of the database, and so do
/// this session's own writes; when the apply fails, the lane is waited for
/// before the error goes up to the savepoint that rolls it back.
final class ApplySession {
    /// What an apply does with a change that may not or cannot be applied:
    /// local edits refuse (``Admission/Policy/refuse``); changes received,
    /// and `gfmd verify`'s replay, keep it as rejected.
    typealias Policy = Admission.Policy

    private let db: Database
    private let bundleID: Int64?
    private let cache: RecordCache
    private let ledger: StoreLedger
    private var admission: Admission
    /// The blocks the bodies appended go to.
    private let blocks: BodyBlockWriter
    /// Writes the rows appended.
    private let lane: AppendLane
    /// The log sequence number the next change appended takes.
    private var nextSequence: Int64

    /// A session taking `incoming` (the changes ``receive(_:commitID:leafIndex:)`` will be given).
    init(db: Database, bundleID: Int64?, cache: RecordCache, trust: TrustIndex, policy: Policy, incoming: [EncodedChange]) throws {
        self.db = db
        self.bundleID = bundleID
        self.cache = cache
        nextSequence = (try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(seq) FROM change")) ?? 0) + 1
        // The sites' fingerprints the changes stored move (``SiteActivity/noteStored(_:of:at:)``).
        try cache.sites.anchorNewSites(Set(incoming.map(\.change.site)), db)
        lane = try AppendLane(db: db)
        blocks = try BodyBlockWriter(db: db, lane: lane)
        ledger = try StoreLedger(db: db, cache: cache, blocks: blocks, lane: lane, incoming: incoming)
        admission = Admission(trust: trust, policy: policy)
    }

    /// Takes one incoming change, and everything its arrival decides.
    func receive(_ change: EncodedChange, commitID: Int64, leafIndex: Int) throws {
        let arrival = Arrival(commitID: commitID, leafIndex: leafIndex, bundleID: bundleID)
        do {
            try carryOut(admission.receive(change, tag: arrival, from: ledger))
            while let effects = try admission.step(from: ledger) { try carryOut(effects) }
        } catch {
            lane.wait()
            throw error
        }
    }

    private func carryOut(_ effects: [AdmissionEffect]) throws {
        for effect in effects {
            switch effect {
            case .append(let change, let arrival, let frontier, let state):
                try append(change, arrival: arrival, frontier: frontier, state: state)
            case .reject(let change, let arrival, let code, let reason):
                try ledger.reject(change, arrival: arrival, code: code, reason: reason)
            case .unpend(let hash):
                try ledger.unpend(hash)
            case .satisfied(let hash):
                try lane.settle()
                try db.execute(sql: "DELETE FROM pending_dep WHERE dep = ?", arguments: [hash.data])
            }
        }
    }

    /// Appends an applied change to the log.
    private func append(_ change: EncodedChange, arrival: Arrival, frontier: [ChangeHash], state: RecordState) throws {
        let c = change.change
        let (block, offset) = try blocks.add(change.bytes)
        let sequence = nextSequence
        nextSequence += 1
        lane.append(.change(LogRow(sequence: sequence, change: change, frontier: frontier, arrival: arrival, block: block, offset: offset)))
        cache.sites.noteStored(change.hash, of: c.site, at: c.timestamp)
        ledger.noteApplied(change, sequence: sequence, header: state.header)
    }

    /// Keeps what still waits as pending and writes every touched record back.
    func finish() throws -> ApplyReport {
        let changed = admission.changedRecords
        let records: [StoreLedger.RecordWrite]
        do {
            try blocks.finish()
            // The records' rows are encoded while the lane writes the last log rows.
            lane.handOffRest()
            records = ledger.prepare(changed.map { ($0.key, $0.value.state, $0.value.heads) })
            try lane.settle()
        } catch {
            lane.wait()
            throw error
        }
        try cache.sites.writeMovedAnchors(db)
        for (hash, entry) in admission.waiting {
            try db.execute(sql: """
                INSERT INTO pending(hash, record, commit_id, leaf_index, bundle_id, body, size, site, hlc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [hash.data, entry.change.change.record.data, entry.tag.commitID, entry.tag.leafIndex, entry.tag.bundleID,
                                 PackedBlob.pack(entry.change.bytes), entry.change.bytes.count, entry.change.change.site.data,
                                 Int64(bitPattern: entry.change.change.timestamp.rawValue)])
            cache.sites.note(entry.change.change.site, at: entry.change.change.timestamp)
            for dependency in entry.missing {
                try db.execute(sql: "INSERT INTO pending_dep(dep, hash) VALUES (?, ?)", arguments: [dependency.data, hash.data])
            }
        }
        var report = ApplyReport()
        report.applied = admission.counts.applied
        report.duplicates = admission.counts.duplicates
        report.rejected = admission.counts.rejected
        report.releasedFromPending = admission.counts.released
        report.heldPending = admission.waiting.count
        try ledger.write(records)
        report.recordsChanged = changed.keys.sorted()
        report.recordsConflicted = changed.filter { $0.value.state.isConflicted }.keys.sorted()
        if !admission.waiting.isEmpty || ledger.storedPendingCount > 0 {
            report.missingDependencies = try StoreReader(db: db).pendingSummary().missing
        }
        // What the machine kept of the changes taken is freed on another
        // core (W2 at 250 delegations: 3 % of the applying thread).
        var done = Admission(trust: admission.trust, policy: admission.policy)
        swap(&done, &admission)
        ReleasedElsewhere.release(done)
        return report
    }

    /// The records this apply wrote that are worth keeping in memory once
    /// its transaction commits (``RecordCache/worthKeeping(_:)``).
    func takeLoadedRecords() -> [StoredRecord] {
        ledger.takeWrittenRecords(keeping: RecordCache.worthKeeping)
    }
}
