import Foundation
import GFMDCore
import GFMDStore
import GFMDTestSupport
import Testing

/// Seeded schedules of *any* change the format can express, signed by
/// enrolled sites that may be hostile: second creates (of the same or
/// another type and owner), concurrent transitions, deletions and restores
/// with made-up `pred`s, edits of deleted records, co-author changes,
/// unknown operation and value kinds, dependencies on stale heads, on
/// nothing or on another record, wrong participants, dates outside the
/// certificate, a site whose certificate arrives later, revocations. Three
/// real stores receive them in random orders, batches and duplicates.
@Suite("Structural operations converge, whatever an enrolled peer signs (seeded property tests)")
struct StructuralConvergenceTests {
    static let groups = 80
    static let schedulesPerGroup = 25

    @Test("2,000 schedules in 80 groups: the same records and the same verdicts on every store, as the spec's oracle computes",
          arguments: 0..<groups)
    func hostileSchedules(group: Int) throws {
        let directory = TemporaryDirectory("gfmd-structural")
        var universe = HostileUniverse()
        let stores = try (0..<3).map { index in
            let store = try ReplicaStore(path: directory.path("store\(index).sqlite").path)
            try store.write { writer in
                try writer.initialise(StoredIdentity(publicKey: SiteSigningKey().publicKey, participant: "SEC", author: "Store \(index)"))
                try writer.pin(root: universe.root.publicKey)
            }
            _ = try store.write { try $0.apply(universe.baseTrust.map { VerifiedCommit.signing([$0], with: universe.secretariat.key) }) }
            return store
        }
        for offset in 0..<Self.schedulesPerGroup {
            let seed = UInt64(group * Self.schedulesPerGroup + offset)
            let schedule = Schedule(seed: seed, universe: &universe)
            var random = SeededGenerator(seed: seed ^ 0x5EED)
            for store in stores { try schedule.deliver(to: store, random: &random) }
            try schedule.expectConvergence(stores)
        }
    }
}

/// One seeded schedule: the changes of a few sites on two fresh records.
struct Schedule {
    struct Signed {
        let change: EncodedChange
        let commit: VerifiedCommit
    }

    let seed: UInt64
    let records: [RecordID]
    private(set) var pool: [Signed] = []

    static let fields = ["title", "contact", "implementation_status", "theme", "gap", "partners", "themes", "co_authors", "_workflow", "_review_note", "future_field"]
    static let setFields: Set<String> = ["partners", "themes", "co_authors"]
    static let values = ["a", "b", "PHL", "MEX", "IOM", "draft", "submitted", "under_review", "accepted", "returned", "withdrawn", "bogus"]

    init(seed: UInt64, universe: inout HostileUniverse) {
        self.seed = seed
        var random = SeededGenerator(seed: seed)
        records = [RecordID.random(using: &random), RecordID.random(using: &random)]
        var actors = universe.actors
        var keySeed = [UInt8](repeating: 0, count: 32)
        for index in keySeed.indices { keySeed[index] = UInt8(truncatingIfNeeded: random.next()) }
        let late = universe.lateActor(key: try! SiteSigningKey(rawRepresentation: keySeed), participant: random.pick(["PHL", "MEX"]))
        actors.append(late.actor)
        add(late.certification, signedBy: universe.secretariat.key)
        var all: [ChangeHash: EncodedChange] = Dictionary(uniqueKeysWithValues: universe.baseTrust.map { ($0.hash, $0) })
        all[late.certification.hash] = late.certification
        // What each actor has seen: the base trust and its own certificate.
        var known = actors.map { Set(universe.baseTrust.map(\.hash) + [$0.certification]) }
        if random.chance(0.3) {
            let revoked = random.chance(0.5) ? late.actor : actors[1]
            let revocation = universe.revocation(of: revoked.certificate, on: [revoked.certification])
            add(revocation, signedBy: universe.secretariat.key)
            all[revocation.hash] = revocation
            known[actors.count - 2].insert(revocation.hash)  // the secretariat saw it
        }
        for _ in 0..<Int.random(in: 8...18, using: &random) {
            let index = Int.random(in: 0..<actors.count, using: &random)
            if random.chance(0.35) {
                known[index].formUnion(known[Int.random(in: 0..<actors.count, using: &random)])
                continue
            }
            guard let change = Self.randomChange(by: &actors[index], knowing: known[index], all: all, records: records, random: &random) else { continue }
            known[index].insert(change.hash)
            all[change.hash] = change
            add(change, signedBy: actors[index].site.key)
        }
    }

    private mutating func add(_ change: EncodedChange, signedBy key: SiteSigningKey) {
        pool.append(Signed(change: change, commit: VerifiedCommit.signing([change], with: key)))
    }

    /// A change `actor` could sign, honest or not, that decodes (rules 1–4 of changes.md).
    static func randomChange(
        by actor: inout HostileUniverse.Actor, knowing known: Set<ChangeHash>, all: [ChangeHash: EncodedChange],
        records: [RecordID], random: inout SeededGenerator
    ) -> EncodedChange? {
        let record = random.pick(records)
        let seen = known.compactMap { all[$0] }.filter { $0.change.record == record }
        let depended = Set(seen.flatMap(\.change.dependencies))
        let heads = seen.map(\.hash).filter { !depended.contains($0) }
        // Mostly, a site that never saw the record leaves it to its creator.
        if seen.isEmpty, all.values.contains(where: { $0.change.record == record }), random.chance(0.7) { return nil }
        let trust = random.chance(0.85) ? [actor.certification] : []
        var operations: [ChangeOperation] = []
        var dependencies: [ChangeHash]
        if seen.isEmpty || random.chance(0.05) {
            // A first create, or a second one: of the same type and owner, or not.
            if let earlier = seen.compactMap(\.change.creation).first, random.chance(0.6) {
                operations.append(.create(type: earlier.type, owner: earlier.owner))
            } else {
                let type = random.chance(0.8) ? "practice" : random.pick(["knowledge_gap", "future_type"])
                let owner = random.chance(0.85) ? actor.site.participant : random.pick(["PHL", "MEX", "SEC"])
                operations.append(.create(type: type, owner: owner))
            }
            dependencies = random.chance(0.05) ? trust + heads : trust
        } else {
            switch Int.random(in: 0..<12, using: &random) {
            case 0: dependencies = trust  // no create in its causal past
            case 1, 2: dependencies = trust + seen.map(\.hash).filter { _ in random.chance(0.5) }  // stale, or partial
            default: dependencies = trust + heads
            }
        }
        var fields: Set<String> = []
        for _ in 0..<Int.random(in: (operations.isEmpty ? 1 : 0)...3, using: &random) {
            let field = random.pick(fields.isEmpty ? Self.fields : Self.fields.filter { !fields.contains($0) })
            fields.insert(field)
            let value: Value = random.chance(0.08) ? .unknown(kind: 9, payload: [UInt8(random.next() % 4)]) : .string(random.pick(values))
            func writes(_ matching: (ChangeOperation) -> Bool) -> [ChangeHash] {
                seen.filter { $0.change.operations.contains(where: matching) }.map(\.hash).filter { _ in random.chance(0.7) }.sorted()
            }
            // Mostly the kind of operation the field takes, sometimes any.
            let kind = random.chance(0.15) ? Int.random(in: 0..<7, using: &random)
                : Self.setFields.contains(field) ? Int.random(in: 2...3, using: &random)
                : field == "_workflow" ? 6 : random.pick([0, 4, 5])
            switch kind {
            case 0, 1:
                operations.append(.set(field: field, value: value, pred: writes { $0.field == field }))
            case 2:
                operations.append(.add(field: field, element: value))
            case 3:
                operations.append(.remove(field: field, element: value, observed: writes {
                    if case .add(field, value) = $0 { true } else { false }
                }))
            case 4 where !operations.contains(where: { if case .setDeleted = $0 { true } else { false } }):
                operations.append(.setDeleted(random.chance(0.6), pred: writes { if case .setDeleted = $0 { true } else { false } }))
            case 5:
                operations.append(.unknown(kind: 42, payload: [UInt8(random.next() % 256)]))
            default:
                let state = random.chance(0.9) ? random.pick(WorkflowState.allCases).rawValue : "bogus"
                operations.append(.set(field: "_workflow", value: .string(state), pred: writes { $0.field == "_workflow" }))
            }
        }
        let timestamp = random.chance(0.06)
            ? HybridTimestamp(milliseconds: random.chance(0.5) ? 1_700_000_000_000 : 1_795_000_000_000 + random.next() % 1_000, counter: 0)
            : actor.site.tick()
        let participant = random.chance(0.05) ? random.pick(["PHL", "MEX", "SEC"]) : actor.site.participant
        let change = actor.site.change(record, on: dependencies, operations, at: timestamp, claiming: participant)
        // Only what a reader accepts at all: the rest is the bundle reader's business.
        return (try? EncodedChange(bytes: change.bytes)) == nil ? nil : change
    }

    /// Delivers the pool to `store` in a random order, with duplicates, in random batches.
    func deliver(to store: ReplicaStore, random: inout SeededGenerator) throws {
        var order = pool.shuffled(using: &random)
        for _ in 0..<Int.random(in: 0...3, using: &random) {
            order.insert(random.pick(pool), at: Int.random(in: 0...order.count, using: &random))
        }
        var start = 0
        while start < order.count {
            let end = random.chance(0.3) ? order.count : min(order.count, start + Int.random(in: 1...6, using: &random))
            let batch = order[start..<end].map(\.commit)
            _ = try store.write { try $0.apply(batch) }
            start = end
        }
    }

    /// Every store holds the same records and verdicts, and the oracle agrees.
    func expectConvergence(_ stores: [ReplicaStore]) throws {
        let hashes = Set(pool.map(\.change.hash))
        struct Outcome: Equatable {
            var states: [RecordState?]
            var applied: Set<ChangeHash>
            var rejected: [ChangeHash: String]
            var pending: Int
        }
        var outcomes: [Outcome] = []
        for store in stores {
            let outcome = try store.read { reader in
                Outcome(
                    states: try records.map { try reader.record($0) },
                    applied: Set(try records.flatMap { try reader.changeHashes(of: $0) } + (try reader.changeHashes(of: reader.trustRecordID()!).filter(hashes.contains))),
                    rejected: Dictionary(uniqueKeysWithValues: try (records + [reader.trustRecordID()!])
                        .flatMap { try reader.rejectedChanges(of: $0) }.filter { hashes.contains($0.encoded.hash) }.map { ($0.encoded.hash, $0.code) }),
                    pending: try reader.pendingSummary().count)
            }
            outcomes.append(outcome)
        }
        for outcome in outcomes.dropFirst() {
            #expect(outcome == outcomes[0], "seed \(seed): stores differ")
        }
        let first = outcomes[0]
        #expect(first.pending == 0, "seed \(seed): every dependency was delivered")
        #expect(first.applied.count + first.rejected.count == hashes.count, "seed \(seed): every change is applied or rejected")
        let applied = pool.map(\.change).filter { first.applied.contains($0.hash) && records.contains($0.change.record) }
        let expected = SpecOracle.expected(from: applied)
        for (record, state) in zip(records, first.states) {
            #expect(state.map(VisibleRecord.init) == expected[record], "seed \(seed), record \(record.short)")
        }
    }
}

@Suite("Sequence edits are judged on their causal past")
struct SequenceCausalityTests {
    @Test("an edit naming text inserted by a change it did not see is rejected wherever that change arrived first")
    func concurrentReference() throws {
        let directory = TemporaryDirectory("gfmd-sequence-causality")
        let universe = HostileUniverse()
        var laptop1 = universe.actors[0], laptop2 = universe.actors[1]
        let record = testRecordID(77)
        let create = laptop1.site.change(record, on: [laptop1.certification], [.create(type: "practice", owner: "PHL")])
        let typed = laptop1.site.change(record, on: [create.hash], [
            .text(field: "summary", item: nil, edits: [.insert(counter: 0, left: nil, right: nil, content: Array("abc".unicodeScalars))]),
        ])
        // Built on the creation alone, yet deleting what `typed` inserted: only a modified client writes it.
        let hostile = laptop2.site.change(record, on: [create.hash, laptop2.certification], [
            .text(field: "summary", item: nil, edits: [.delete([CharRange(site: laptop1.site.id, counter: 1, count: 1)])]),
        ])
        let commits = [(create, laptop1), (typed, laptop1), (hostile, laptop2)].map { VerifiedCommit.signing([$0.0], with: $0.1.site.key) }
        var outcomes: [[String]] = []
        for (index, order) in [[0, 1, 2], [0, 2, 1]].enumerated() {
            let store = try ReplicaStore(path: directory.path("store\(index).sqlite").path)
            try store.write { writer in
                try writer.initialise(StoredIdentity(publicKey: SiteSigningKey().publicKey, participant: "SEC", author: "Store"))
                try writer.pin(root: universe.root.publicKey)
            }
            _ = try store.write { try $0.apply(universe.baseTrust.map { VerifiedCommit.signing([$0], with: universe.secretariat.key) }) }
            for position in order { _ = try store.write { try $0.apply([commits[position]]) } }
            let text = try store.read { try $0.record(record)?.textField("summary")?.text }
            let rejected = try store.read { try $0.rejectedChanges().map { "\($0.encoded.hash.short) \($0.code)" } }
            outcomes.append([text ?? "", rejected.joined()])
        }
        #expect(outcomes[0] == outcomes[1])
        #expect(outcomes[0] == ["abc", "\(hostile.hash.short) unknown_element"])
    }
}
