import Foundation
@testable import GFMDBundle
import GFMDCore
import GFMDReplica
import GFMDStore
import GFMDSync
import GFMDTestSupport
import Testing

/// Bundles of the previous format, and sync sections that do not concern their reader.
@Suite("Delta bundles and older formats")
struct DeltaFormatTests {
    let fixture = ReplicaFixture()

    @Test("a version-4 bundle from an enrolled laptop still applies; it teaches nothing, so the next bundle back is full")
    func previousFormat() throws {
        let sec = try fixture.replica("sec", participant: "SEC")
        var (site, trust) = try fixture.enrolledSite(seed: 42)
        let create = site.change(testRecordID(1), on: trust, [.create(type: "practice", owner: "PHL"), .set(field: "title", value: .string("Bonds"), pred: [])])
        let file = Bundle.encode([BundleCommit(VerifiedCommit.signing([create], with: site.key))], sender: site.key, participant: "PHL",
                                 created: site.tick(), level: 6, version: 4)
        #expect(try Bundle(reading: file).header.version == 4)
        let outcome = try sec.applyBundle(file)
        #expect(outcome.report.applied == 1)
        #expect(try sec.read { try $0.peerSites(of: "PHL") }.isEmpty, "no sync section, nothing learnt")
        #expect(try sec.createBundle(for: ParticipantCode("PHL")!).isFull)
    }

    @Test("a bundle for PHL applied on a MEX replica by mistake teaches it nothing about knowledge, sealed (refused) or plain")
    func misdirected() throws {
        let sec = try fixture.replica("sec", participant: "SEC")
        let mex = try fixture.replica("mex", participant: "MEX")
        let phl = try fixture.replica("phl")
        try sec.applyBundle(try phl.createBundle(for: .secretariat).bytes)
        let own = try mex.read { try $0.syncSession(site: mex.siteID, participant: "MEX") }
        #expect(throws: BundleError.self) { try mex.applyBundle(try sec.createBundle(for: ParticipantCode("PHL")!).bytes) }
        try mex.applyBundle(try sec.createBundle(for: ParticipantCode("PHL")!, full: true, sealed: false).bytes)
        let after = try mex.read { try $0.syncSession(site: mex.siteID, participant: "MEX") }
        #expect(after.own == own.own && after.peers.isEmpty)
    }

    @Test("a bundle of everything (--all) teaches its recipient what the sender holds, and vouches for the sender's own site")
    func everything() throws {
        let sec = try fixture.replica("sec", participant: "SEC")
        let phl = try fixture.replica("phl")
        try phl.createRecord(type: "practice", title: "Diaspora bonds")
        let backup = try phl.createBundle().bytes
        #expect(try Bundle(reading: backup).sync?.recipient == "")
        try sec.applyBundle(backup)
        let session = try sec.read { try $0.syncSession(site: sec.siteID, participant: "SEC") }
        #expect(session.own[SiteTag(phl.siteID)] > .zero && session.peers[phl.siteID] != nil)
        let back = try sec.createBundle(for: ParticipantCode("PHL")!)
        #expect(!back.isFull)
        let held = try phl.read { try $0.heldChanges() }
        #expect(try Bundle.hashes(in: back.bytes, as: phl).allSatisfy { !held.contains($0) }, "nothing PHL sent back to it")
    }
}
