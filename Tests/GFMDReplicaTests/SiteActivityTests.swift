import Foundation
import GFMDCore
import GFMDReplica
@testable import GFMDStore
import GFMDSync
import GFMDTestSupport
import GRDB
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

    @Test("signing sites added one at a time, some sharing a tag, are the signers read at once")
    func signersAddedOneByOne() {
        var generator = SeededGenerator(seed: 11)
        // Eight-byte tags from a few values, so that several sites share one.
        let sites = (0..<60).map { _ in SiteID(words: (generator.next() % 40, generator.next())) }
        var added = SiteActivity.Signers([])
        for (count, site) in sites.enumerated() {
            added.add(site)
            added.add(site)
            let read = SiteActivity.Signers(Array(sites.prefix(count + 1)))
            #expect(added.sites == read.sites && added.shared == read.shared && added.byTag == read.byTag && added.unique == read.unique)
            #expect(added.uniqueInOrder.map(\.tag) == read.uniqueInOrder.map(\.tag) && added.uniqueInOrder.map(\.site) == read.uniqueInOrder.map(\.site))
        }
        #expect(!added.shared.isEmpty && !added.unique.isEmpty)
    }

    @Test("a site's fingerprint kept between syncs counts a change that arrives late, below its time, as a fresh count does, moving later or earlier")
    func fingerprints() throws {
        let fixture = ReplicaFixture()
        let store = try fixture.store("hub")
        var (site, trust) = try fixture.enrolledSite(seed: 91)
        try store.deliver(try fixture.root.createBundle(selection: Set(trust)).bytes)
        let early = site.change(testRecordID(91), on: trust, [.create(type: "practice", owner: "PHL")])
        let late = site.change(testRecordID(92), on: trust, [.create(type: "practice", owner: "PHL")])
        let latest = site.change(testRecordID(93), on: trust, [.create(type: "practice", owner: "PHL")])
        let tag = SiteTag(site.id)
        /// The fingerprint as the writer computes it (from the one it keeps), and as a fresh count on a reader.
        func fingerprints(upTo change: EncodedChange) throws -> (kept: SiteFingerprint, fresh: SiteFingerprint) {
            let time = change.change.timestamp
            return (try store.write { try $0.reader.fingerprint(of: tag, upTo: time) }, try store.read { try $0.fingerprint(of: tag, upTo: time) })
        }
        _ = try store.write { try $0.apply([VerifiedCommit.signing([late], with: site.key)]) }
        #expect(try fingerprints(upTo: late).kept.count == 1)
        // The earlier change arrives after the fingerprint was kept, below its time.
        _ = try store.write { try $0.apply([VerifiedCommit.signing([early], with: site.key)]) }
        _ = try store.write { try $0.apply([VerifiedCommit.signing([latest], with: site.key)]) }
        for change in [late, latest, early, latest] {
            let (kept, fresh) = try fingerprints(upTo: change)
            #expect(kept == fresh, "up to \(change.hash.short)" as Comment)
        }
        #expect(try fingerprints(upTo: latest).kept.count == 3)
    }

    @Test("a fingerprint one process kept is where the next starts, and stays current as changes arrive below its time in yet another")
    func fingerprintsAcrossProcesses() throws {
        let fixture = ReplicaFixture()
        let path = fixture.directory.path("hub.sqlite").path
        var (site, trust) = try fixture.enrolledSite(seed: 93)
        let early = site.change(testRecordID(94), on: trust, [.create(type: "practice", owner: "PHL")])
        let late = site.change(testRecordID(95), on: trust, [.create(type: "practice", owner: "PHL")])
        let tag = SiteTag(site.id), time = late.change.timestamp
        do {
            let first = try fixture.store("hub")
            try first.deliver(try fixture.root.createBundle(selection: Set(trust)).bytes)
            _ = try first.write { try $0.apply([VerifiedCommit.signing([late], with: site.key)]) }
            #expect(try first.write { try $0.reader.fingerprint(of: tag, upTo: time) }.count == 1)
        }
        // Another process applies the earlier change, below the kept time: the kept fingerprint must count it.
        _ = try ReplicaStore(path: path).write { try $0.apply([VerifiedCommit.signing([early], with: site.key)]) }
        let kept = try DatabaseQueue(path: path).read { db in
            try Row.fetchOne(db, sql: "SELECT time, count FROM site_fingerprint WHERE site = ?", arguments: [Data(site.id.bytes)])
        }
        #expect(kept?["time"] == Int64(bitPattern: time.rawValue))
        #expect(kept?["count"] == 2)
        // A third starts from it, and agrees with a fresh count.
        let third = try ReplicaStore(path: path)
        #expect(try third.write { try $0.reader.fingerprint(of: tag, upTo: time) } == third.read { try $0.fingerprint(of: tag, upTo: time) })
        #expect(try third.verify().isIntact)
    }
}
