import GFMDCore
import GFMDTestSupport
import Testing

/// The admission machine with no database: its decisions, one step at a
/// time, on a replica in memory.
@Suite("Admission decides from the causal past, with no I/O")
struct AdmissionTests {
    let universe = HostileUniverse()

    /// The arrival of the `n`-th change of a test.
    func arrival(_ n: Int64) -> Arrival { Arrival(commitID: n, leafIndex: 0, bundleID: nil) }

    /// An empty replica in memory holding the universe's trust record.
    func enrolledLedger() throws -> MemoryLedger {
        let ledger = MemoryLedger(root: universe.root.publicKey)
        try ledger.admit(universe.baseTrust.map { ($0, arrival(0)) })
        return ledger
    }

    /// A record created by PHL's first laptop, then edited twice in a chain.
    func chain() -> (create: EncodedChange, first: EncodedChange, second: EncodedChange) {
        var maria = universe.actors[0]
        let record = testRecordID(300)
        let create = maria.site.change(record, on: [maria.certification], [.create(type: "practice", owner: "PHL")])
        let first = maria.site.change(record, on: [create.hash], [.set(field: "contact", value: .string("Desk A"), pred: [])])
        let second = maria.site.change(record, on: [first.hash], [.set(field: "contact", value: .string("Desk B"), pred: [first.hash])])
        return (create, first, second)
    }

    @Test("a change arriving before its dependency waits, then each step applies one change, in causal order")
    func waitsThenReleases() throws {
        let ledger = try enrolledLedger()
        let (create, first, second) = chain()
        var admission = Admission(trust: ledger.trust, policy: .receive)
        #expect(try admission.receive(second, tag: arrival(3), from: ledger).isEmpty)
        #expect(try admission.receive(first, tag: arrival(2), from: ledger).isEmpty)
        #expect(admission.waiting.keys.sorted() == [first.hash, second.hash].sorted())
        var appended: [Int64] = []
        func note(_ effects: [AdmissionEffect]) {
            for case .append(_, let tag, _, _) in effects { appended.append(tag.commitID) }
        }
        note(try admission.receive(create, tag: arrival(1), from: ledger))
        while let effects = try admission.step(from: ledger) { note(effects) }
        #expect(appended == [1, 2, 3], "create, first, second")
        #expect(admission.waiting.isEmpty)
        #expect(admission.counts.applied == 3)
        let state = try #require(admission.changedRecords[create.change.record]?.state)
        #expect(state.registerField("contact")?.winner?.value == .string("Desk B"))
    }

    @Test("a change on a rejected change is rejected, and so is what waited for it, here and in earlier admissions")
    func rejectionCascades() throws {
        let ledger = try enrolledLedger()
        var jose = universe.actors[2] // MEX: not a contributor to PHL's record
        let (create, _, _) = chain()
        let record = create.change.record
        let foreign = jose.site.change(record, on: [create.hash, jose.certification], [.set(field: "contact", value: .string("MEX"), pred: [])])
        var maria = universe.actors[0]
        let onForeign = maria.site.change(record, on: [foreign.hash], [.set(field: "title", value: .string("After"), pred: [])])
        let onThat = maria.site.change(record, on: [onForeign.hash], [.set(field: "title", value: .string("Later"), pred: [])])
        // An earlier admission keeps the last one pending; the next brings the rest.
        try ledger.admit([(onThat, arrival(0))])
        #expect(ledger.pendingCount == 1)
        let counts = try ledger.admit([(onForeign, arrival(0)), (create, arrival(0)), (foreign, arrival(0))])
        #expect(ledger.rejected[foreign.hash] == "not_contributor")
        #expect(ledger.rejected[onForeign.hash] == "depends_on_rejected")
        #expect(ledger.rejected[onThat.hash] == "depends_on_rejected")
        #expect(ledger.pendingCount == 0)
        #expect(counts.applied == 1 && counts.rejected == 3)
    }

    @Test("a pending change kept by an earlier admission is released once its dependency arrives; a change held already is a duplicate")
    func pendingReleasedAcrossAdmissions() throws {
        let ledger = try enrolledLedger()
        let (create, first, second) = chain()
        try ledger.admit([(second, arrival(0)), (first, arrival(0))])
        #expect(ledger.pendingCount == 2)
        let counts = try ledger.admit([(create, arrival(0)), (first, arrival(0))])
        #expect(counts.applied == 1 && counts.released == 2 && counts.duplicates == 1)
        #expect(ledger.pendingCount == 0)
        #expect(ledger.log.suffix(3).map(\.hash) == [create.hash, first.hash, second.hash])
    }

    @Test("local edits are refused, not kept: the rule broken is thrown")
    func refusePolicyThrows() throws {
        let ledger = try enrolledLedger()
        var jose = universe.actors[2]
        let (create, _, _) = chain()
        try ledger.admit([(create, arrival(0))])
        let foreign = jose.site.change(create.change.record, on: [create.hash, jose.certification], [.set(field: "contact", value: .string("MEX"), pred: [])])
        #expect(throws: AuthorizationError.self) { try ledger.admit([(foreign, arrival(0))], policy: .refuse) }
        #expect(ledger.rejected.isEmpty && !ledger.holds(foreign.hash))
    }
}
