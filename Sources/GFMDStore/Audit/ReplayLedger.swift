import Foundation
import GFMDCore
import GRDB

/// `gfmd verify`'s replay: every change the replica holds admitted again by
/// ``Admission``, in memory, with no database of its own.
///
/// Of each applied change it keeps only what the machine asks again and
/// what its log row's derived columns should hold (``LoggedFields``); when
/// the machine needs a change's operations, its body is read back from the
/// replica being verified. Records are kept encoded and packed between
/// admissions, as their checkpoints are stored, and decoded when an
/// admission asks for them; changes that share a trust frontier share its
/// array. Memory is the packed records (each with a key of its row's
/// summary columns) plus about 200 bytes a change.
final class ReplayLedger: AdmissionLedger {
    /// What the replay keeps of a change it applied: what its log row's
    /// derived columns should hold.
    struct Entry {
        let fields: LoggedFields
        let frontier: [ChangeHash]
    }

    private let held: Database
    /// Reads the held bodies.
    private let bodies: LogBodies
    private let trust: TrustIndex
    /// The changes applied, by id.
    private(set) var entries: [ChangeHash: Entry] = [:]
    /// Each record's applied changes, in the order applied.
    private var recordLog: [RecordID: [ChangeHash]] = [:]
    /// The changes rejected, with their codes.
    private(set) var rejected: [ChangeHash: String] = [:]
    /// The changes still waiting for dependencies, and who waits for what.
    private(set) var waiting: [ChangeHash: Admission.Waiting] = [:]
    private var waiters: [ChangeHash: Set<ChangeHash>] = [:]
    /// A record as the last admission left it.
    struct Record: Sendable {
        /// Its encoded state, packed (``PackedBlob``) as a checkpoint is stored, and the encoding's size.
        let state: Data
        let size: Int
        let heads: Set<ChangeHash>
        /// The ``StoredRecord/summaryKey(_:)`` of its row's summary columns.
        let summaryKey: Hash256
    }

    /// The records, as the last admission left them.
    private(set) var records: [RecordID: Record] = [:]
    /// Each distinct trust frontier, kept once.
    private var frontiers: Set<[ChangeHash]> = []
    /// Each distinct participant and author name, kept once.
    private var names: Set<String> = []

    /// An empty replay trusting `root`, reading bodies from `held`, with
    /// room for `changes` (so that the table of entries is never copied to grow).
    init(root: SitePublicKey, held: Database, changes: Int) {
        self.held = held
        bodies = LogBodies(held)
        trust = TrustIndex(root: root, changes: [])
        entries.reserveCapacity(changes)
    }

    /// Admits the changes of `commits` in order, in one admission (as one
    /// apply would), and carries out what it decides.
    func admit(_ commits: [VerifiedCommit]) throws {
        var admission = Admission(trust: trust, policy: .receive)
        for commit in commits {
            for leaf in commit.leaves {
                carryOut(try admission.receive(leaf.change, tag: Arrival(commitID: 0, leafIndex: leaf.index, bundleID: nil), from: self))
                while let effects = try admission.step(from: self) { carryOut(effects) }
            }
        }
        for (hash, entry) in admission.waiting {
            waiting[hash] = entry
            for dependency in entry.missing { waiters[dependency, default: []].insert(hash) }
        }
        // Encoded and packed on every core; the machine freed on another.
        let changed = admission.changedRecords.map { (id: $0.key, state: $0.value.state, heads: $0.value.heads) }
        ReleasedElsewhere.release(consume admission)
        let packed = changed.concurrentMap { record in
            let encoded = record.state.encodedState
            return Record(state: PackedBlob.pack(encoded), size: encoded.count, heads: record.heads,
                          summaryKey: StoredRecord.summaryKey(StoredRecord.summary(of: record.state, heads: record.heads)))
        }
        for (record, replayed) in zip(changed, packed) { records[record.id] = replayed }
        ReleasedElsewhere.release(consume changed)
    }

    private func carryOut(_ effects: [AdmissionEffect]) {
        for effect in effects {
            switch effect {
            case .append(let change, _, let frontier, _):
                let c = change.change
                let shared = frontiers.insert(frontier).memberAfterInsert
                entries[change.hash] = Entry(fields: LoggedFields(c).sharing(&names), frontier: shared)
                recordLog[c.record, default: []].append(change.hash)
            case .reject(let change, _, let code, _):
                rejected[change.hash] = code
            case .unpend(let hash):
                for dependency in waiting.removeValue(forKey: hash)?.missing ?? [] { waiters[dependency]?.remove(hash) }
            case .satisfied(let hash):
                for waiter in waiters.removeValue(forKey: hash) ?? [] { waiting[waiter]?.missing.remove(hash) }
            }
        }
    }

    /// The encoded state of record `id`, as replayed.
    func state(of id: RecordID) throws -> [UInt8] {
        guard let record = records[id] else { return [] }
        return try PackedBlob.unpack(record.state, size: record.size)
    }

    /// `gfmd digest` of the records replayed, made on another core (it
    /// needs nothing but the records) while the caller goes on.
    func digest() -> Background<Result<String, any Error>> {
        let records = records
        return Background {
            Result {
                var digest = StateDigest()
                for id in records.keys.sorted() {
                    let record = records[id]!
                    digest.add(record: id, encodedState: try PackedBlob.unpack(record.state, size: record.size))
                }
                return digest.finalize()
            }
        }
    }

    /// Change `hash` as the replica stores it (in its log, or as rejected or pending).
    private func body(_ hash: ChangeHash) throws -> EncodedChange {
        for table in ["change", "rejected", "pending"] {
            let statement = try held.cachedStatement(sql: "SELECT \(BodyBlocks.columns(of: table)) FROM \(table) WHERE hash = ?")
            if let row = try Row.fetchOne(statement, arguments: [hash.data]) {
                return try bodies.change(row, at: 0, table: table)
            }
        }
        throw StoreError(.corrupt, "change \(hash.short) was replayed but is no longer held")
    }

    // MARK: AdmissionLedger

    func holds(_ hash: ChangeHash) -> Bool {
        entries[hash] != nil || waiting[hash] != nil || rejected[hash] != nil
    }

    func isRejected(_ hash: ChangeHash) -> Bool { rejected[hash] != nil }

    func applied(_ hash: ChangeHash) -> (record: RecordID, frontier: [ChangeHash])? {
        entries[hash].map { ($0.fields.record, $0.frontier) }
    }

    func record(_ id: RecordID) throws -> (state: RecordState, heads: Set<ChangeHash>)? {
        guard let heads = records[id]?.heads else { return nil }
        return (try RecordState(id: id, decoding: state(of: id)), heads)
    }

    func forEachChange(
        of id: RecordID, newestFirst body: (ChangeHash, [ChangeHash], () throws -> EncodedChange) throws -> Bool
    ) throws {
        for hash in (recordLog[id] ?? []).reversed() {
            guard try body(hash, entries[hash]!.fields.dependencies, { try self.body(hash) }) else { return }
        }
    }

    func pending(waitingFor dependency: ChangeHash) -> [(change: EncodedChange, tag: Arrival, missing: Set<ChangeHash>)] {
        (waiters[dependency] ?? []).sorted().compactMap { waiting[$0] }.map { ($0.change, $0.tag, $0.missing) }
    }

    func editingChanges(of record: RecordID) -> [ChangeHash] {
        (recordLog[record] ?? []).filter { entries[$0]!.fields.editsFields }
    }

    func ancestry(of changes: [ChangeHash]) -> Set<ChangeHash> {
        Self.ancestry(of: changes) { entries[$0]?.fields.dependencies }
    }
}
