import Foundation
@testable import GFMDBundle
import GFMDCore
import GFMDReplica
import GFMDStore
import GFMDTestSupport
import Testing

/// What a bundle for one participant holds: never another delegation's drafts.
@Suite("Per-peer visibility")
struct VisibilityTests {
    let fixture = ReplicaFixture()

    /// The decompressed body of a bundle file: every byte a receiver gets beyond the header.
    static func body(of file: [UInt8]) throws -> [UInt8] {
        let bundle = try Bundle(reading: file)
        let start = try #require((0..<file.count - 1).first { file[$0] == 0x1F && file[$0 + 1] == 0x8B })
        return try Gzip.decompress(file[start..<(file.count - BundleHeader.trailerSize)], expectedSize: bundle.header.bodySize)
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        return (0...(haystack.count - needle.count)).contains { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }

    @Test("a bundle --to MEX from a hub holding PHL drafts holds none of their ids, titles or text, until one is accepted")
    func draftsStayHome() throws {
        let hub = try fixture.replica("hub", participant: "SEC")
        let phl = try fixture.replica("phl")
        let mex = try fixture.replica("mex", participant: "MEX")
        let draft = try phl.createRecord(type: "practice", title: "Bonos ZQXTITLE", edits: [
            .add(field: "partners", value: "IOM"), .set(field: "summary", value: "Confidential ZQXTEXT draft"),
        ])
        try phl.createRecord(type: "practice", title: "Joint ZQXJOINT", edits: [.add(field: "co_authors", value: "MEX")])
        try mex.createRecord(type: "practice", title: "Remesas MEXTITLE")
        try hub.applyBundle(try phl.createBundle(for: .secretariat).bytes)
        try hub.applyBundle(try mex.createBundle(for: .secretariat).bytes)

        // Plain, so that what the body holds is read here (SealedBundleTests: what a sealed one shows).
        let toMexico = try hub.createBundle(for: ParticipantCode("MEX")!, full: true, sealed: false).bytes
        let body = try Self.body(of: toMexico)
        for secret in [Array("ZQXTITLE".utf8), Array("ZQXTEXT".utf8), draft.bytes, Array(draft.hex.prefix(8).utf8)] {
            #expect(!Self.contains(body, secret))
        }
        #expect(Self.contains(body, Array("MEXTITLE".utf8)) && Self.contains(body, Array("ZQXJOINT".utf8)),
                "its own records and those it co-authors travel")
        try mex.applyBundle(toMexico)
        #expect(try mex.list().map(\.title).sorted() == ["Joint ZQXJOINT", "Remesas MEXTITLE"])
        #expect(try mex.digest() == hub.digest(for: ParticipantCode("MEX")!))

        // Accepted, the practice is published: the next bundle carries it, as accepted.
        try phl.transition(draft.hex, to: .submitted)
        try hub.applyBundle(try phl.createBundle(for: .secretariat).bytes)
        try hub.transition(draft.hex, to: .underReview)
        try hub.transition(draft.hex, to: .accepted)
        let published = try hub.createBundle(for: ParticipantCode("MEX")!, sealed: false).bytes
        #expect(Self.contains(try Self.body(of: published), Array("ZQXTEXT".utf8)))
        try mex.applyBundle(published)
        #expect(try mex.record(draft.hex).workflowState == "accepted")
        #expect(try mex.digest() == hub.digest(for: ParticipantCode("MEX")!))

        // A new draft revision stays home; the published version stays readable.
        try phl.applyBundle(try hub.createBundle(for: ParticipantCode("PHL")!).bytes)
        try phl.edit(draft.hex, [.set(field: "title", value: "Bonos ZQXREVISION")])
        try hub.applyBundle(try phl.createBundle(for: .secretariat).bytes)
        #expect(try hub.record(draft.hex).workflowState == "draft")
        #expect(try hub.publishedRecord(draft.hex)?.title == "Bonos ZQXTITLE")
        let afterRevision = try hub.createBundle(for: ParticipantCode("MEX")!, sealed: false).bytes
        #expect(!Self.contains(try Self.body(of: afterRevision), Array("ZQXREVISION".utf8)))
        try mex.applyBundle(afterRevision)
        #expect(try mex.record(draft.hex).title == "Bonos ZQXTITLE")
        #expect(try mex.digest() == hub.digest(for: ParticipantCode("MEX")!))
        #expect(try phl.digest() != hub.digest(for: ParticipantCode("MEX")!))
    }

    @Test("every laptop of a delegation prints the digest the hub computes for it")
    func digestForPeer() throws {
        let hub = try fixture.replica("hub", participant: "SEC")
        let laptop1 = try fixture.replica("phl1")
        let laptop2 = try fixture.replica("phl2")
        let mex = try fixture.replica("mex", participant: "MEX")
        try laptop1.createRecord(type: "practice", title: "One")
        try laptop2.createRecord(type: "knowledge_gap", title: "Two")
        try mex.createRecord(type: "practice", title: "Three")
        for sender in [laptop1, laptop2, mex] { try hub.applyBundle(try sender.createBundle(for: .secretariat).bytes) }
        let toPHL = try hub.createBundle(for: ParticipantCode("PHL")!).bytes
        for laptop in [laptop1, laptop2] { try laptop.applyBundle(toPHL) }
        #expect(try laptop1.digest() == laptop2.digest())
        #expect(try laptop1.digest() == hub.digest(for: ParticipantCode("PHL")!))
        #expect(try hub.digest(for: .secretariat) == hub.digest())
    }
}
