import Foundation
import GFMDBundle
import GFMDCore
import GFMDReplica
import GFMDStore
import GFMDTestSupport
import Testing

/// The work-flow of DESIGN.md §3, enforced on every replica.
@Suite("Work-flow: submit, review, accept, return")
struct WorkflowTests {
    let fixture = ReplicaFixture()

    /// Expects `body` to be refused with authorisation error `code`.
    func expectRefused(_ code: AuthorizationError.Code, _ body: () throws -> Void) {
        #expect { try body() } throws: { ($0 as? AuthorizationError)?.code == code }
    }

    @Test("draft → submitted → under review → returned → submitted → accepted, with every illegal step refused")
    func fullWorkflow() throws {
        let hub = try fixture.replica("hub", participant: "SEC")
        let phl = try fixture.replica("phl")
        let id = try phl.createRecord(type: "practice", title: "Diaspora bonds").hex
        func toHub() throws { try hub.applyBundle(try phl.createBundle(for: .secretariat).bytes) }
        func toPHL() throws { try phl.applyBundle(try hub.createBundle(for: ParticipantCode("PHL")!).bytes) }

        expectRefused(.illegalTransition) { try phl.transition(id, to: .accepted) }
        expectRefused(.illegalTransition) { try phl.transition(id, to: .underReview) }
        try phl.transition(id, to: .submitted)
        expectRefused(.locked) { try phl.edit(id, [.set(field: "contact", value: "Desk A")]) }
        try phl.transition(id, to: .withdrawn)
        try phl.edit(id, [.set(field: "contact", value: "Desk A")])
        try phl.transition(id, to: .submitted)
        try toHub()

        expectRefused(.illegalTransition) { try hub.transition(id, to: .accepted) }
        try hub.transition(id, to: .underReview)
        try toPHL()
        expectRefused(.illegalTransition) { try phl.transition(id, to: .withdrawn) }
        expectRefused(.locked) { try phl.edit(id, [.set(field: "contact", value: "Desk B")]) }
        try hub.transition(id, to: .returned, note: "Please add the outcomes.")
        try toPHL()
        let returned = try phl.record(id)
        #expect(returned.workflowState == "returned")
        #expect(returned.registerField(Workflow.noteField)?.winner?.value == .string("Please add the outcomes."))
        try phl.edit(id, [.set(field: "outcomes", value: "Bonds worth 10 million sold.")])
        try phl.transition(id, to: .submitted)
        try toHub()
        try hub.transition(id, to: .underReview)
        try hub.transition(id, to: .accepted)
        try toPHL()
        #expect(try phl.record(id).workflowState == "accepted")
        #expect(try hub.rejected().isEmpty && phl.rejected().isEmpty)
        #expect(try phl.digest() == hub.digest(for: ParticipantCode("PHL")!))
    }

    @Test("a delegation that bypasses its own checks to accept its record is rejected by the secretariat")
    func forgedAcceptance() throws {
        let hub = try fixture.replica("hub", participant: "SEC")
        let phl = try fixture.replica("phl")
        let id = try phl.createRecord(type: "practice", title: "Diaspora bonds")
        try phl.transition(id.hex, to: .submitted)
        try hub.applyBundle(try phl.createBundle(for: .secretariat).bytes)
        let state = try phl.record(id.hex)
        let forged = Forgery.bundle(
            key: try Forgery.siteKey(in: phl.directory), participant: "PHL", author: "Maria Santos", record: id,
            dependencies: try phl.read { try $0.heads(of: id) },
            operations: [.set(field: Workflow.field, value: .string("accepted"), pred: state.registerField(Workflow.field)!.currentWrites)],
            at: HybridTimestamp(milliseconds: fixture.clock.nowMilliseconds(), counter: 0))
        try hub.applyBundle(forged.bytes)
        #expect(try hub.record(id.hex).workflowState == "submitted")
        let rejected = try #require(try hub.rejected().first)
        #expect(rejected.encoded.hash == forged.change && rejected.code == "illegal_transition")
        #expect(rejected.reason.contains("submitted") && rejected.reason.contains("accepted"))
    }

    @Test("concurrent transitions are a visible conflict, settled by the next transition")
    func concurrentTransitions() throws {
        let hub = try fixture.replica("hub", participant: "SEC")
        let phl = try fixture.replica("phl")
        let id = try phl.createRecord(type: "practice", title: "Diaspora bonds").hex
        try phl.transition(id, to: .submitted)
        try hub.applyBundle(try phl.createBundle(for: .secretariat).bytes)
        // The delegation withdraws while the secretariat starts its review.
        try phl.transition(id, to: .withdrawn)
        try hub.transition(id, to: .underReview)
        try hub.applyBundle(try phl.createBundle(for: .secretariat).bytes)
        try phl.applyBundle(try hub.createBundle(for: ParticipantCode("PHL")!).bytes)
        for replica in [hub, phl] {
            let conflict = try #require(try replica.conflicts().first?.fields.first)
            #expect(conflict.field == Workflow.field)
            #expect(Set(conflict.values.map(\.value)) == [.string("withdrawn"), .string("under_review")])
        }
        #expect(try phl.digest() == hub.digest())
        // Still withdrawn on one side, so the delegation may submit again; that settles it.
        try phl.transition(id, to: .submitted)
        try hub.applyBundle(try phl.createBundle(for: .secretariat).bytes)
        #expect(try hub.conflicts().isEmpty)
        #expect(try hub.record(id).workflowState == "submitted")
    }

    @Test("only the owner manages co-authors; a co-author edits but does not delete")
    func coAuthors() throws {
        // The hub first: the laptops enrolled after it seal their bundles for SEC to it.
        let hub = try fixture.replica("hub", participant: "SEC")
        let phl = try fixture.replica("phl")
        let mex = try fixture.replica("mex", participant: "MEX")
        try fixture.shareTrust()
        let id = try phl.createRecord(type: "practice", title: "Joint practice", edits: [.add(field: "co_authors", value: "MEX")]).hex
        try hub.applyBundle(try phl.createBundle(for: .secretariat).bytes)
        try mex.applyBundle(try hub.createBundle(for: ParticipantCode("MEX")!).bytes)
        try mex.edit(id, [.set(field: "contact", value: "Mexico desk")])
        expectRefused(.notContributor) { try mex.edit(id, [.add(field: "co_authors", value: "GTM")]) }
        expectRefused(.notContributor) { try mex.edit(id, [.delete]) }
        try hub.applyBundle(try mex.createBundle(for: .secretariat).bytes)
        #expect(try hub.record(id).registerField("contact")?.winner?.value == .string("Mexico desk"))
        #expect(try hub.rejected().isEmpty)
    }
}
