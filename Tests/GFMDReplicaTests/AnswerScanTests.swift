import Foundation
import GFMDCore
import GFMDReplica
import GFMDStore
import GFMDTestSupport
import Testing

/// A hub remembers, per participant, where its last scan of the log stopped
/// and which sites wrote something that participant may read, so that an
/// answer to a delegation's laptop does not read every other delegation's
/// history (`SiteActivity.Readers`). Old changes that become readable later
/// must still travel.
@Suite("A hub's answers after its scans were remembered")
struct AnswerScanTests {
    let fixture = ReplicaFixture()

    /// The hub, a PHL laptop and a MEX laptop.
    func replicas() throws -> (hub: Replica, phl: Replica, mex: Replica) {
        (try fixture.replica("hub", participant: "SEC"), try fixture.replica("phl"), try fixture.replica("mex", participant: "MEX"))
    }

    @Test("an old MEX draft that names PHL as co-author travels whole to PHL, though the hub had found nothing of MEX's for PHL before")
    func coAuthorWidens() throws {
        let (hub, phl, mex) = try replicas()
        let draft = try mex.createRecord(type: "practice", title: "Remesas", edits: [.set(field: "summary", value: "First paragraph.")])
        try mex.edit(draft.hex, [.add(field: "partners", value: "IOM")])
        try hub.applyBundle(try mex.createBundle(for: .secretariat).bytes)
        try phl.createRecord(type: "practice", title: "Bonos")
        try hub.applyBundle(try phl.createBundle(for: .secretariat).bytes)
        // Two answers to PHL: the hub scans, finds nothing of MEX's it may read, and remembers.
        for _ in 0..<2 { try phl.applyBundle(try hub.createBundle(for: ParticipantCode("PHL")!, sealed: false).bytes) }
        #expect(try phl.list().map(\.title) == ["Bonos"])

        try mex.edit(draft.hex, [.add(field: "co_authors", value: "PHL")])
        try hub.applyBundle(try mex.createBundle(for: .secretariat).bytes)
        try phl.applyBundle(try hub.createBundle(for: ParticipantCode("PHL")!, sealed: false).bytes)
        #expect(try phl.record(draft.hex).displayedText("summary") == "First paragraph.")
        #expect(try phl.digest() == hub.digest(for: ParticipantCode("PHL")!))
    }

    @Test("a MEX draft accepted after the hub's scans reaches PHL as published")
    func acceptanceWidens() throws {
        let (hub, phl, mex) = try replicas()
        let draft = try mex.createRecord(type: "practice", title: "Remesas", edits: [.set(field: "summary", value: "Published text.")])
        try mex.transition(draft.hex, to: .submitted)
        try hub.applyBundle(try mex.createBundle(for: .secretariat).bytes)
        try phl.createRecord(type: "practice", title: "Bonos")
        try hub.applyBundle(try phl.createBundle(for: .secretariat).bytes)
        for _ in 0..<2 { try phl.applyBundle(try hub.createBundle(for: ParticipantCode("PHL")!, sealed: false).bytes) }
        #expect(try phl.list().map(\.title) == ["Bonos"])

        try hub.transition(draft.hex, to: .underReview)
        try hub.transition(draft.hex, to: .accepted)
        try phl.applyBundle(try hub.createBundle(for: ParticipantCode("PHL")!, sealed: false).bytes)
        #expect(try phl.record(draft.hex).displayedText("summary") == "Published text.")
        #expect(try phl.digest() == hub.digest(for: ParticipantCode("PHL")!))
    }
}

extension AnswerScanTests {
    @Test("a record whose creation MEX and PHL dispute, settled on PHL after the hub's scans, reaches PHL whole, MEX's old changes included")
    func settlementWidens() throws {
        let (hub, phl, mex) = try replicas()
        var generator = SystemRandomNumberGenerator()
        let id = RecordID.random(using: &generator)
        try mex.commit([RecordEdits(.new(id: id, type: "practice", title: "Remesas"), [.set(field: "summary", value: "Written in Mexico City.")])])
        try hub.applyBundle(try mex.createBundle(for: .secretariat).bytes)
        try phl.commit([RecordEdits(.new(id: id, type: "practice", title: "Remesas"), [])])
        try hub.applyBundle(try phl.createBundle(for: .secretariat).bytes)
        #expect(try hub.record(id.hex).header.owner == "", "the creations disagree: only the secretariat reads it")
        // Answers to PHL: the hub scans, finds nothing it may read of MEX's, and remembers.
        for _ in 0..<2 { try phl.applyBundle(try hub.createBundle(for: ParticipantCode("PHL")!, sealed: false).bytes) }
        #expect(try phl.record(id.hex).displayedText("summary") == nil)

        try hub.settle(id.hex, owner: "PHL")
        try phl.applyBundle(try hub.createBundle(for: ParticipantCode("PHL")!, sealed: false).bytes)
        #expect(try phl.record(id.hex).displayedText("summary") == "Written in Mexico City.")
        #expect(try phl.digest() == hub.digest(for: ParticipantCode("PHL")!))
    }
}
