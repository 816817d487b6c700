import Foundation
import GFMDBundle
import GFMDCore
@testable import GFMDReplica
import GFMDStore
import GFMDTestSupport
import Testing

/// Several bundle files applied in one go, the next opened while one is
/// applied: each file's outcome is the one it has alone, in order.
@Suite("Applying several bundle files")
struct ApplyBundlesTests {
    let fixture = ReplicaFixture()

    /// Applies `files` to `replica` in one go and answers each outcome, in the order told.
    func applyAll(_ files: [[UInt8]], to replica: Replica) -> [(index: Int, result: Result<BundleApplyOutcome, any Error>)] {
        var outcomes: [(index: Int, result: Result<BundleApplyOutcome, any Error>)] = []
        replica.applyBundles(files.count, read: { index in (files[index], "file \(index)") }) { outcomes.append(($0, $1)) }
        return outcomes
    }

    @Test("files apply in order, a damaged one refused and one applied before said so, as each would alone")
    func inOrder() throws {
        let phl = try fixture.replica("phl")
        let first = try phl.createRecord(type: "practice", title: "Diaspora bonds")
        let early = try phl.createBundle().bytes
        let second = try phl.createRecord(type: "practice", title: "Skills partnerships")
        let later = try phl.createBundle().bytes
        var damaged = later
        damaged[damaged.count / 2] ^= 0xFF
        let hub = try fixture.replica("hub", participant: "SEC")

        let outcomes = applyAll([early, damaged, early, later], to: hub)

        #expect(outcomes.map(\.index) == [0, 1, 2, 3])
        let applied = try outcomes[0].result.get()
        #expect(applied.previouslyApplied == nil && applied.report.recordsChanged.contains(first))
        #expect(throws: BundleError.self) { try outcomes[1].result.get() }
        #expect(try outcomes[2].result.get().previouslyApplied != nil)
        let last = try outcomes[3].result.get()
        #expect(last.previouslyApplied == nil && last.report.recordsChanged == [second])
        #expect(Set(try hub.list().map(\.id)) == [first, second])
        let ledger = try hub.bundles()
        #expect(ledger.map(\.fileName) == ["enrolment", "file 0", "file 3"])
    }

    @Test("a file whose sender an earlier file of the same go revokes is refused, though it was opened before the revocation was in")
    func revokedByAnEarlierFile() throws {
        let laptop = try fixture.replica("laptop")
        let record = try laptop.createRecord(type: "practice", title: "Diaspora bonds")
        let fromLaptop = try laptop.createBundle().bytes
        let other = try fixture.replica("other")
        try fixture.root.revoke(site: laptop.identity.siteID.hex, reason: "laptop lost")
        let trust = try fixture.root.read { reader in Set(try reader.changeHashes(of: reader.trustRecordID()!)) }
        let revocation = try fixture.root.createBundle(selection: trust).bytes

        let outcomes = applyAll([revocation, fromLaptop], to: other)

        #expect(try outcomes[0].result.get().previouslyApplied == nil)
        #expect { try outcomes[1].result.get() } throws: { ($0 as? BundleError)?.code == .unknownSender }
        #expect(try other.list().map(\.id).contains(record) == false)
        // The revocation, in the same batch as the refused file, was kept.
        let held = try fixture.reopen("other").read { reader in Set(try reader.changeHashes(of: reader.trustRecordID()!)) }
        #expect(held.isSuperset(of: trust))
    }

    @Test("a file's outcome is told once it is durable: another process opening the replica then finds it applied")
    func toldWhenDurable() throws {
        let bundles = try (0..<3).map { index in
            let laptop = try fixture.replica("laptop \(index)")
            _ = try laptop.createRecord(type: "practice", title: "Practice \(index)")
            return try laptop.createBundle().bytes
        }
        let hub = try fixture.replica("hub", participant: "SEC")
        var seen: [[String?]] = []
        hub.applyBundles(bundles.count, read: { index in (bundles[index], "file \(index)") }) { index, result in
            #expect(throws: Never.self) { try result.get() }
            // A read-only opening, as `gfmd status` in another terminal: it sees only what was committed.
            seen.append((try? Replica.open(at: fixture.directory.path("hub"), access: .readOnly).bundles().map(\.fileName)) ?? [])
        }
        #expect(seen.count == 3)
        for (index, names) in seen.enumerated() {
            #expect(names.contains("file \(index)"), "file \(index) was told before it was committed: \(names)")
        }
    }

    @Test("a file that cannot be read is refused with its reason, and the others still apply")
    func unreadableFile() throws {
        let phl = try fixture.replica("phl")
        let record = try phl.createRecord(type: "practice", title: "Diaspora bonds")
        let bundle = try phl.createBundle().bytes
        let hub = try fixture.replica("hub", participant: "SEC")
        struct Unreadable: Error {}
        var outcomes: [Result<BundleApplyOutcome, any Error>] = []
        hub.applyBundles(2, read: { index in
            guard index == 1 else { throw Unreadable() }
            return (bundle, nil)
        }) { outcomes.append($1) }
        #expect(throws: Unreadable.self) { try outcomes[0].get() }
        #expect(try outcomes[1].get().report.recordsChanged.contains(record))
    }
}
