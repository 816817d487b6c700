/// A replica held in memory, for running ``Admission`` with no database:
/// it carries out the machine's effects in dictionaries. The tests' oracle
/// and the fuzzers admit changes through it.
package final class MemoryLedger: AdmissionLedger {
    private struct Pending {
        let change: EncodedChange
        let tag: Arrival
        var missing: Set<ChangeHash>
    }

    /// The changes applied, in the order applied.
    package private(set) var log: [EncodedChange] = []
    /// The changes rejected, with their codes.
    package private(set) var rejected: [ChangeHash: String] = [:]
    private var entries: [ChangeHash: (record: RecordID, frontier: [ChangeHash], change: EncodedChange)] = [:]
    private var pendingChanges: [ChangeHash: Pending] = [:]
    /// The records, as the last admission left them.
    package private(set) var records: [RecordID: (state: RecordState, heads: Set<ChangeHash>)] = [:]
    /// The trust record's changes, shared by every admission into this ledger.
    package let trust: TrustIndex

    /// An empty replica that pins `root`.
    package init(root: SitePublicKey) {
        trust = TrustIndex(root: root, changes: [])
    }

    /// An independent replica holding what this one holds (the trust index shared).
    package func copy() -> MemoryLedger {
        let copy = MemoryLedger(trust: trust)
        copy.log = log
        copy.rejected = rejected
        copy.entries = entries
        copy.pendingChanges = pendingChanges
        copy.records = records
        return copy
    }

    private init(trust: TrustIndex) {
        self.trust = trust
    }

    /// The changes still pending.
    package var pendingCount: Int { pendingChanges.count }

    /// Admits `changes` in order, in one admission, and carries out what it decides.
    @discardableResult
    package func admit(
        _ changes: [(EncodedChange, Arrival)], policy: Admission.Policy = .receive, authorising: Bool = true
    ) throws -> Admission.Counts {
        var admission = Admission(trust: trust, policy: policy, authorising: authorising)
        for (change, tag) in changes {
            carryOut(try admission.receive(change, tag: tag, from: self))
            while let effects = try admission.step(from: self) { carryOut(effects) }
        }
        for (hash, waiting) in admission.waiting {
            pendingChanges[hash] = Pending(change: waiting.change, tag: waiting.tag, missing: waiting.missing)
        }
        for (id, record) in admission.changedRecords { records[id] = record }
        return admission.counts
    }

    private func carryOut(_ effects: [AdmissionEffect]) {
        for effect in effects {
            switch effect {
            case .append(let change, _, let frontier, _):
                log.append(change)
                entries[change.hash] = (change.change.record, frontier, change)
            case .reject(let change, _, let code, _):
                rejected[change.hash] = code
            case .unpend(let hash):
                pendingChanges[hash] = nil
            case .satisfied(let hash):
                for key in pendingChanges.keys { pendingChanges[key]!.missing.remove(hash) }
            }
        }
    }

    /// `gfmd digest` of the records held.
    package var digest: String {
        var digest = StateDigest()
        for id in records.keys.sorted() { digest.add(records[id]!.state) }
        return digest.finalize()
    }

    // MARK: AdmissionLedger

    package func holds(_ hash: ChangeHash) -> Bool {
        entries[hash] != nil || pendingChanges[hash] != nil || rejected[hash] != nil
    }

    package func isRejected(_ hash: ChangeHash) -> Bool { rejected[hash] != nil }

    package func applied(_ hash: ChangeHash) -> (record: RecordID, frontier: [ChangeHash])? {
        entries[hash].map { ($0.record, $0.frontier) }
    }

    package func record(_ id: RecordID) -> (state: RecordState, heads: Set<ChangeHash>)? { records[id] }

    package func forEachChange(
        of id: RecordID, newestFirst body: (ChangeHash, [ChangeHash], () throws -> EncodedChange) throws -> Bool
    ) throws {
        for change in log.reversed() where change.change.record == id {
            guard try body(change.hash, change.change.dependencies, { change }) else { return }
        }
    }

    package func pending(waitingFor dependency: ChangeHash) -> [(change: EncodedChange, tag: Arrival, missing: Set<ChangeHash>)] {
        pendingChanges.values.filter { $0.missing.contains(dependency) }.sorted { $0.change.hash < $1.change.hash }
            .map { ($0.change, $0.tag, $0.missing) }
    }

    package func editingChanges(of record: RecordID) -> [ChangeHash] {
        log.filter { $0.change.record == record && $0.change.editsFields }.map(\.hash)
    }

    package func ancestry(of changes: [ChangeHash]) -> Set<ChangeHash> {
        Self.ancestry(of: changes) { entries[$0]?.change.change.dependencies }
    }
}
