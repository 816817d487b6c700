import GFMDCore
import GFMDTestSupport
import Testing

@Suite("Record merge")
struct RecordMergeTests {
    let record = testRecordID(7)

    @Test("a delete concurrent with an edit is a visible conflict; restore or a second delete settles it")
    func deleteVersusEdit() throws {
        var laptop1 = TestSite(seed: 1), laptop2 = TestSite(seed: 2)
        let root = laptop1.create(record)
        let delete = laptop1.change(record, on: [root.hash], [.setDeleted(true, pred: [])])
        let edit = laptop2.change(record, on: [root.hash], [.set(field: "contact", value: .string("desk"), pred: [])])
        for order in [[root, delete, edit], [root, edit, delete]] {
            var replica = InMemoryReplica()
            for change in order { try replica.receive(change) }
            let state = try #require(replica.records[record])
            #expect(state.isDeleted)
            #expect(state.hasDeletionConflict)
            #expect(state.header.unseenEdits == [edit.hash])
        }
        var replica = InMemoryReplica()
        for change in [root, delete, edit] { try replica.receive(change) }
        let confirm = laptop2.change(record, on: [delete.hash, edit.hash], [.setDeleted(true, pred: [delete.hash])])
        var confirmed = replica
        try confirmed.receive(confirm)
        #expect(confirmed.records[record]!.isDeleted && !confirmed.records[record]!.isConflicted)
        let restore = laptop2.change(record, on: [delete.hash, edit.hash], [.setDeleted(false, pred: [delete.hash])])
        try replica.receive(restore)
        #expect(!replica.records[record]!.isDeleted && !replica.records[record]!.isConflicted)
    }

    @Test("an edit the deletion saw is no conflict")
    func sequentialDelete() throws {
        var site = TestSite(seed: 1)
        let root = site.create(record)
        let edit = site.change(record, on: [root.hash], [.set(field: "contact", value: .string("desk"), pred: [])])
        let delete = site.change(record, on: [edit.hash], [.setDeleted(true, pred: [])])
        var replica = InMemoryReplica()
        for change in [root, edit, delete] { try replica.receive(change) }
        #expect(replica.records[record]!.isDeleted)
        #expect(!replica.records[record]!.isConflicted)
    }

    @Test("a write of the wrong kind on a known field is refused and leaves the record unchanged")
    func wrongKind() throws {
        var site = TestSite(seed: 1)
        let root = site.create(record)
        var replica = InMemoryReplica()
        try replica.receive(root)
        let before = replica.records[record]
        let bad = site.change(record, on: [root.hash], [.set(field: "partners", value: .string("IOM"), pred: [])])
        #expect { try replica.receive(bad) } throws: { ($0 as? ChangeError)?.code == .wrongKind }
        #expect(replica.records[record] == before)
    }

    @Test("fields and types unknown to this version are merged and kept")
    func unknownFields() throws {
        var site = TestSite(seed: 1)
        let root = site.change(record, on: [], [
            .create(type: "future_type", owner: "PHL"),
            .set(field: "new_field", value: .string("kept"), pred: []),
            .unknown(kind: 42, payload: [9]),
        ])
        var replica = InMemoryReplica()
        try replica.receive(root)
        let state = try #require(replica.records[record])
        #expect(state.header.type == "future_type")
        #expect(state.registerField("new_field")?.winner?.value == .string("kept"))
    }

    @Test("a second create merges whatever the order: the least (time, id) is the creation; disagreeing creates leave type and owner empty")
    func secondCreate() throws {
        var phl = TestSite(seed: 1)
        var mex = TestSite(seed: 2, participant: "MEX")
        let first = phl.create(record, title: "One")
        let same = phl.change(record, on: [], [.create(type: "practice", owner: "PHL"), .set(field: "contact", value: .string("x"), pred: [])])
        let other = mex.change(record, on: [], [.create(type: "knowledge_gap", owner: "MEX")])
        for creates in [[first, same], [first, same, other]] {
            var digests = Set<String>()
            var states: [RecordState] = []
            for order in [creates, creates.reversed()] {
                var replica = InMemoryReplica()
                for change in order { try replica.receive(change) }
                digests.insert(replica.digest)
                states.append(try #require(replica.records[record]))
            }
            #expect(digests.count == 1)
            let state = states[0]
            let least = creates.min { ($0.change.timestamp, $0.hash) < ($1.change.timestamp, $1.hash) }!
            #expect(state.header.creation == least.hash && state.header.created == least.change.timestamp)
            #expect(state.header.changeCount == creates.count)
            if creates.count == 2 {
                #expect(state.header.type == "practice" && state.header.owner == "PHL" && !state.header.isContested)
            } else {
                #expect(state.header.type == "" && state.header.owner == "" && state.header.isContested)
            }
        }
    }

    @Test("a settlement decides type and owner in every arrival order, a create arriving after it included; concurrent settlements that disagree contest the record again; rule 6 judges each change by the settlements of its own causal past")
    func settlement() throws {
        var phl = TestSite(seed: 1)
        var mex = TestSite(seed: 2, participant: "MEX")
        var sec = TestSite(seed: 3, participant: "SEC")
        let first = phl.create(record, title: "One")
        let other = mex.change(record, on: [], [.create(type: "knowledge_gap", owner: "MEX")])
        let phlIdentity = RecordIdentity(type: "practice", owner: "PHL")
        let forPHL = sec.change(record, on: [first.hash, other.hash], [.set(field: Settlement.field, value: Settlement.value(for: phlIdentity), pred: [])])
        let third = mex.change(record, on: [], [.create(type: "practice", owner: "MEX")])
        let changes = [first, other, forPHL, third]
        var digests = Set<String>()
        for order in [changes, [other, first, third, forPHL], [first, other, forPHL, third].reversed()] {
            var replica = InMemoryReplica()
            for change in order { try replica.receive(change) }
            digests.insert(replica.digest)
            let header = try #require(replica.records[record]).header
            #expect(header.identity == phlIdentity && !header.isContested)
        }
        #expect(digests.count == 1)

        let byPHL = phl.change(record, on: [forPHL.hash], [.set(field: "contact", value: .string("Desk"), pred: [])])
        #expect(try RecordIdentity.seen(by: byPHL, past: [first, other, forPHL]) == phlIdentity)
        let blind = phl.change(record, on: [first.hash, other.hash], [.set(field: "contact", value: .string("Desk"), pred: [])])
        #expect(throws: ChangeError.self) { try RecordIdentity.seen(by: blind, past: [first, other]) }
        let forMEX = sec.change(record, on: [first.hash, other.hash],
                                [.set(field: Settlement.field, value: Settlement.value(for: RecordIdentity(type: "knowledge_gap", owner: "MEX")), pred: [])])
        let onBoth = phl.change(record, on: [forPHL.hash, forMEX.hash], [.set(field: "contact", value: .string("Desk"), pred: [])])
        #expect(throws: ChangeError.self) { try RecordIdentity.seen(by: onBoth, past: [first, other, forPHL, forMEX]) }
        let again = sec.change(record, on: [forPHL.hash, forMEX.hash],
                               [.set(field: Settlement.field, value: Settlement.value(for: phlIdentity), pred: [forPHL.hash, forMEX.hash].sorted())])
        #expect(try RecordIdentity.seen(by: again, past: [first, other, forPHL, forMEX]) == phlIdentity)
        let afterAgain = phl.change(record, on: [again.hash], [.set(field: "contact", value: .string("Desk"), pred: [])])
        #expect(try RecordIdentity.seen(by: afterAgain, past: [first, other, forPHL, forMEX, again]) == phlIdentity)

        var split = InMemoryReplica()
        for change in [first, other, forPHL, forMEX] { try split.receive(change) }
        #expect(try #require(split.records[record]).header.isContested, "two settlements that disagree")
        try split.receive(again)
        #expect(try #require(split.records[record]).header.identity == phlIdentity)
    }

    /// Random concurrent histories on three in-memory sites.
    static func randomHistory(seed: UInt64) -> [EncodedChange] {
        var random = SeededGenerator(seed: seed)
        var sites = (1...3).map { TestSite(seed: UInt8($0), participant: ["PHL", "PHL", "SEC"][$0 - 1]) }
        var replicas = [InMemoryReplica](repeating: InMemoryReplica(), count: 3)
        var all: [EncodedChange] = []
        let record = testRecordID(1)
        let root = sites[0].create(record)
        all.append(root)
        for i in 0..<3 { try! replicas[i].receive(root) }
        for _ in 0..<30 {
            let i = Int.random(in: 0..<3, using: &random)
            if random.chance(0.25) {
                // Deliver everything another site made.
                let j = Int.random(in: 0..<3, using: &random)
                for change in all where replicas[j].history.changes[change.hash] != nil { try! replicas[i].receive(change) }
                continue
            }
            let state = replicas[i].records[record]!
            let heads = Set(replicas[i].history.changes.keys).subtracting(replicas[i].history.changes.values.flatMap(\.dependencies))
            let operation: ChangeOperation
            switch Int.random(in: 0..<5, using: &random) {
            case 0: operation = .set(field: "title", value: .string("t\(Int.random(in: 0..<4, using: &random))"), pred: state.registerField("title")?.currentWrites ?? [])
            case 1: operation = .add(field: "partners", element: .string(random.pick(["IOM", "ILO"])))
            case 2:
                let element = Value.string(random.pick(["IOM", "ILO"]))
                operation = .remove(field: "partners", element: element, observed: state.setField("partners")?.tags(of: element) ?? [])
            case 3: operation = .setDeleted(true, pred: state.header.deletion.currentWrites)
            default: operation = .setDeleted(false, pred: state.header.deletion.currentWrites)
            }
            let change = sites[i].change(record, on: Array(heads), [operation])
            try! replicas[i].receive(change)
            all.append(change)
        }
        return all
    }

    @Test("any causal delivery order gives the same state, and it agrees with the oracle", arguments: 0..<40)
    func convergence(seed: UInt64) throws {
        let history = Self.randomHistory(seed: seed)
        let expected = Oracle.expected(from: history)
        var random = SeededGenerator(seed: seed ^ 0xABCDEF)
        var digests = Set<String>()
        for _ in 0..<4 {
            var replica = InMemoryReplica()
            // Shuffled, with duplicates: the replica holds back what arrives early.
            for change in (history + history.prefix(5)).shuffled(using: &random) { try replica.receive(change) }
            digests.insert(replica.digest)
            for (id, state) in replica.records {
                #expect(VisibleRecord(state) == expected[id], "seed \(seed)")
            }
        }
        #expect(digests.count == 1, "seed \(seed)")
    }
}
