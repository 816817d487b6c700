import Foundation
import GFMDCore
import GFMDReplica
import GFMDStore
import GFMDTestSupport
import Testing

@Suite("Deltas probe only sites that hold something new, without missing another process's writes")
struct SiteActivityTests {
    @Test("changes another process applied to the hub reach the next delta it makes")
    func anotherProcess() throws {
        let fixture = ReplicaFixture()
        let hub = fixture.root
        let laptop = try fixture.replica("laptop"), colleague = try fixture.replica("colleague")
        _ = try laptop.createRecord(type: "practice", title: "Laptop's")
        try hub.applyBundle(try laptop.createBundle(for: .secretariat).bytes)
        try laptop.applyBundle(try hub.createBundle(for: ParticipantCode("PHL")!).bytes)
        // The hub's folder opened again, as `gfmd bundle apply` in another process would.
        let other = try fixture.reopen("_root")
        let theirs = try colleague.createRecord(type: "practice", title: "Colleague's, applied elsewhere")
        try other.applyBundle(try colleague.createBundle(for: .secretariat).bytes)
        let delta = try hub.createBundle(for: ParticipantCode("PHL")!)
        try laptop.applyBundle(delta.bytes)
        #expect(try laptop.list().map(\.id).contains(theirs), "the delta carries what the other process applied")
        // And what this process applies itself is noted as it goes.
        let mine = try colleague.createRecord(type: "practice", title: "Applied here")
        try hub.applyBundle(try colleague.createBundle(for: .secretariat).bytes)
        try laptop.applyBundle(try hub.createBundle(for: ParticipantCode("PHL")!).bytes)
        #expect(try laptop.list().map(\.id).contains(mine))
        #expect(try laptop.digest() == hub.digest(for: ParticipantCode("PHL")!))
    }
}
