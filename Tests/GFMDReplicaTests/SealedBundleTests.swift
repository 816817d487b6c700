import Foundation
import GFMDBundle
import GFMDCore
import GFMDReplica
import GFMDStore
import GFMDTestSupport
import Testing

/// Sealed bundles (`Protocol/bundle.md`, "Sealed bodies"): only the sites of
/// the participant a bundle is for can open it.
@Suite("Sealed bundles")
struct SealedBundleTests {
    let fixture = ReplicaFixture()

    @Test("the bytes of SEC's bundle for PHL hold no draft title or text, plain or inflated from any offset")
    func nothingReadable() throws {
        let hub = try fixture.replica("hub", participant: "SEC")
        let phl = try fixture.replica("phl")
        try phl.createRecord(type: "practice", title: "Posicion ZQXTITLE", edits: [.set(field: "summary", value: "Confidential ZQXTEXT national position")])
        try hub.applyBundle(try phl.createBundle(for: .secretariat).bytes)
        let file = try hub.createBundle(for: ParticipantCode("PHL")!, full: true).bytes
        let secrets = [Array("ZQXTITLE".utf8), Array("ZQXTEXT".utf8)]
        for secret in secrets { #expect(!VisibilityTests.contains(file, secret)) }
        for offset in file.indices {
            for inflated in Inflate.everyWay(file[offset...]) where !inflated.isEmpty {
                for secret in secrets { #expect(!VisibilityTests.contains(inflated, secret), "inflated from offset \(offset)") }
            }
        }
        // The same bundle, plain, shows them: the test can see what sealing hides.
        let plain = try hub.createBundle(for: ParticipantCode("PHL")!, full: true, sealed: false).bytes
        let start = try #require(plain.indices.first { plain[$0] == 0x1F && plain[$0 + 1] == 0x8B })
        #expect(Inflate.everyWay(plain[start...]).contains { VisibilityTests.contains($0, secrets[0]) })
        // PHL opens the sealed one and reads the draft.
        try phl.applyBundle(file)
        #expect(try phl.list().contains { $0.title == "Posicion ZQXTITLE" })
    }

    @Test("MEX given a bundle sealed for PHL refuses it, saying for whom it is, and is unchanged; both PHL laptops open it")
    func misdirected() throws {
        let hub = try fixture.replica("hub", participant: "SEC")
        let laptop1 = try fixture.replica("phl1"), laptop2 = try fixture.replica("phl2")
        let mex = try fixture.replica("mex", participant: "MEX")
        try fixture.shareTrust()
        try laptop1.createRecord(type: "practice", title: "Borrador ZQXDRAFT")
        try hub.applyBundle(try laptop1.createBundle(for: .secretariat).bytes)
        let bundle = try hub.createBundle(for: ParticipantCode("PHL")!)
        #expect(bundle.sealedFor?.sites.map(\.site).sorted() == [laptop1.siteID, laptop2.siteID].sorted())

        let digest = try mex.digest(), changes = try mex.log().count, ledger = try mex.read { try $0.bundles().count }
        #expect { try mex.applyBundle(bundle.bytes) } throws: { error in
            (error as? BundleError)?.code == .notForThisSite && "\(error)".contains("this bundle is for PHL")
        }
        #expect(try mex.digest() == digest && mex.log().count == changes && mex.read { try $0.bundles().count } == ledger)
        #expect(try !mex.list().contains { $0.title.contains("ZQXDRAFT") })
        // Inspecting it on MEX shows for whom it is, without opening it.
        let outside = try BundleInspection(file: bundle.bytes, as: mex.bundleOpener)
        #expect(outside.sealedFor?.participant == "PHL" && !outside.opened && outside.commits.isEmpty)

        for laptop in [laptop1, laptop2] {
            try laptop.applyBundle(bundle.bytes)
            #expect(try laptop.list().contains { $0.title == "Borrador ZQXDRAFT" })
        }
    }

    @Test("a laptop enrolled after a bundle was made cannot open it, and opens the next; a revoked one is left out of the next")
    func enrolmentAndRevocation() throws {
        let hub = try fixture.replica("hub", participant: "SEC")
        let laptop1 = try fixture.replica("phl1")
        try fixture.shareTrust()
        try hub.applyBundle(try laptop1.createBundle(for: .secretariat).bytes)
        let before = try hub.createBundle(for: ParticipantCode("PHL")!, full: true).bytes
        let late = try fixture.replica("phl2")
        try hub.applyBundle(try fixture.root.createBundle(sealedFor: .secretariat).bytes)
        #expect { try late.applyBundle(before) } throws: { ($0 as? BundleError)?.code == .notForThisSite }
        let next = try hub.createBundle(for: ParticipantCode("PHL")!, full: true)
        #expect(next.sealedFor?.sites.contains { $0.site == late.siteID } == true)
        try late.applyBundle(next.bytes)

        try fixture.root.revoke(site: laptop1.siteID.hex, reason: "laptop lost")
        try hub.applyBundle(try fixture.root.createBundle(sealedFor: .secretariat).bytes)
        let afterRevocation = try hub.createBundle(for: ParticipantCode("PHL")!, full: true)
        #expect(afterRevocation.sealedFor?.sites.map(\.site) == [late.siteID])
        #expect { try laptop1.applyBundle(afterRevocation.bytes) } throws: { ($0 as? BundleError)?.code == .notForThisSite }
    }

    @Test("a laptop certified before encryption keys is named as unable to open; with none able, the bundle is refused, and --plain still works")
    func oldCertificates() throws {
        let hub = try fixture.replica("hub", participant: "SEC")
        let old = try Replica.create(at: fixture.directory.path("old"), participant: ParticipantCode("GTM")!, author: "Old laptop", clock: fixture.clock)
        let request = try EnrolmentRequest(decoding: EnrolmentRequest(key: Forgery.siteKey(in: old.directory), participant: "GTM",
                                                                     author: "Old laptop", created: .zero, withEncryptionKey: false).encoded)
        try old.enroll(try fixture.root.certify(request, role: .delegate))
        try hub.applyBundle(try fixture.root.createBundle(sealedFor: .secretariat).bytes)
        #expect { try hub.createBundle(for: ParticipantCode("GTM")!) } throws: { "\($0)".contains("no site of GTM known here can open a sealed bundle") && "\($0)".contains("--plain") }
        let plain = try hub.createBundle(for: ParticipantCode("GTM")!, sealed: false)
        #expect(plain.sealedFor == nil)
        try old.applyBundle(plain.bytes)
    }

    @Test("a sealed body altered before signing, or a wrapped key that does not open, is refused")
    func tampered() throws {
        let hub = try fixture.replica("hub", participant: "SEC")
        let phl = try fixture.replica("phl")
        try fixture.shareTrust()
        let file = try hub.createBundle(for: ParticipantCode("PHL")!, full: true).bytes
        let envelope = try BundleEnvelope(reading: file)
        let seal = try #require(envelope.header.seal)
        // Another site's key under phl's id: the wrapped key does not open.
        let stranger = SiteSigningKey()
        #expect { try envelope.open(as: (phl.siteID, stranger.decryptionKey)) } throws: { ($0 as? BundleError)?.code == .cannotOpen }
        #expect(seal.sites == [phl.siteID])
        #expect(try envelope.open(as: phl.bundleOpener).changeCount == envelope.header.changeCount)

        // A byte of the encrypted body flipped, the file checksummed and signed again by the hub's own key.
        var content = Array(file.dropLast(96))
        content[content.count - 5] ^= 0x01
        let checksum = Hash256.of(content)
        let hubKey = try Forgery.siteKey(in: hub.directory)
        let altered = content + checksum.bytes + hubKey.signature(for: Array("gfmd bundle v1".utf8) + [0] + checksum.bytes)
        #expect { try phl.applyBundle(altered) } throws: { ($0 as? BundleError)?.code == .corruptBody }
    }
}
