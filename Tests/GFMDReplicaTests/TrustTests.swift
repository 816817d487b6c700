import Foundation
@testable import GFMDBundle
import GFMDCore
@testable import GFMDReplica
import GFMDStore
import GFMDTestSupport
import Testing

/// Enrolment, authorisation decided from each change's causal past, and
/// rejected changes kept, whatever order bundles arrive in.
@Suite("Trust: certificates, revocations and authorisation")
struct TrustTests {
    let fixture = ReplicaFixture()

    /// The rejected changes of `store`, with their codes.
    func rejections(_ store: ReplicaStore) throws -> [ChangeHash: String] {
        try store.read { reader in
            Dictionary(uniqueKeysWithValues: try reader.rejectedChanges().map { ($0.encoded.hash, $0.code) })
        }
    }

    /// The trust record's changes on the root, in the order they were made.
    func trustChanges() throws -> [ChangeHash] {
        try fixture.root.read { reader in try reader.changeHashes(of: reader.trustRecordID()!) }
    }

    /// A bundle from the root of some of its trust changes.
    func trustBundle(_ changes: some Sequence<ChangeHash>) throws -> [UInt8] {
        try fixture.root.createBundle(selection: Set(changes)).bytes
    }

    /// A change of `record` by a hand-made site, as its own bundle.
    func forged(
        by site: inout TestSite, _ record: RecordID, on dependencies: [ChangeHash], _ operations: [ChangeOperation], sentFor sender: String? = nil
    ) -> (bytes: [UInt8], change: ChangeHash) {
        let change = site.change(record, on: dependencies.sorted(), operations)
        let bundle = Bundle.encode([BundleCommit(VerifiedCommit.signing([change], with: site.key))],
                                   sender: site.key, participant: sender ?? site.participant, created: change.change.timestamp)
        return (bundle, change.hash)
    }

    @Test("an unenrolled key, a revoked site and MEX on a PHL record are rejected on every replica, in every delivery order")
    func rejectedInEveryOrder() throws {
        let phl = try fixture.replica("phl")
        let record = try phl.createRecord(type: "practice", title: "Diaspora bonds")
        try phl.edit(record.hex, [.add(field: "partners", value: "IOM")])
        var (revokedSite, _) = try fixture.enrolledSite(seed: 51)
        var (mexSite, mexCertificate) = try fixture.enrolledSite(seed: 52, participant: "MEX")
        let beforeRevocation = try trustChanges()
        try fixture.root.revoke(site: revokedSite.id.hex, reason: "laptop lost")
        try fixture.shareTrust()
        let revocation = try #require(try trustChanges().last)
        let heads = try phl.read { try $0.heads(of: record) }
        var stranger = TestSite(seed: 50, wall: fixture.clock.nowMilliseconds() + 1_000)
        let title = ChangeOperation.set(field: "title", value: .string("Taken over"), pred: heads)
        let unenrolled = forged(by: &stranger, record, on: heads + [revocation], [title])
        let revoked = forged(by: &revokedSite, record, on: heads + [revocation], [title])
        let foreign = forged(by: &mexSite, record, on: heads + mexCertificate, [title])
        let expected = [unenrolled.change: "unenrolled", revoked.change: "revoked", foreign.change: "not_contributor"]

        let legit = try phl.createBundle(selection: Set(try phl.read { try $0.changeHashes(of: record) })).bytes
        let parts = [try trustBundle(beforeRevocation), try trustBundle([revocation]), legit,
                     unenrolled.bytes, revoked.bytes, foreign.bytes]
        let reference = try fixture.store("reference")
        for part in parts { try reference.deliver(part) }
        #expect(try rejections(reference) == expected)
        let digest = try reference.read { try $0.digest() }
        #expect(try phl.digest() == digest, "the rejected changes leave the state as the legitimate ones made it")

        var orders = Self.permutations(of: Array(parts.indices.reversed())).enumerated().filter { $0.offset % 30 == 0 }.map(\.element)
        orders.append([5, 4, 3, 2, 1, 0])
        for (number, order) in orders.enumerated() {
            let replica = try fixture.store("order\(number)")
            for index in order { try replica.deliver(parts[index]) }
            #expect(try rejections(replica) == expected, "order \(order)")
            #expect(try replica.read { try $0.digest() } == digest, "order \(order)")
            #expect(try replica.read { try $0.pendingSummary().count } == 0, "order \(order)")
        }
    }

    @Test("a change arriving before the certificate in its causal past, or after it, gives the same state")
    func certificateBeforeOrAfter() throws {
        let phl = try fixture.replica("phl")
        let record = try phl.createRecord(type: "practice", title: "Diaspora bonds")
        let recordBundle = try phl.createBundle(selection: Set(try phl.read { try $0.changeHashes(of: record) })).bytes
        let earlierTrust = try trustChanges()
        var (newcomer, trust) = try fixture.enrolledSite(seed: 60)
        let certificate = try #require(trust.first)
        let heads = try phl.read { try $0.heads(of: record) }
        let allowed = forged(by: &newcomer, record, on: heads + [certificate], [.add(field: "themes", element: .string("remittances"))])
        // The same site, but its change does not know the certificate: it was not enrolled then.
        let premature = forged(by: &newcomer, record, on: heads + [earlierTrust.last!], [.add(field: "partners", element: .string("ILO"))])

        let certificateFirst = try fixture.store("first")
        for part in [try trustBundle(trustChanges()), recordBundle, allowed.bytes, premature.bytes] {
            try certificateFirst.deliver(part)
        }
        let certificateLast = try fixture.store("last")
        for part in [try trustBundle(earlierTrust), recordBundle, allowed.bytes, premature.bytes] {
            try certificateLast.deliver(part)
        }
        #expect(try certificateLast.read { try $0.pendingSummary().count } == 1, "the change waits for its certificate")
        try certificateLast.deliver(try trustBundle([certificate]))

        for replica in [certificateFirst, certificateLast] {
            #expect(try rejections(replica) == [premature.change: "unenrolled"])
            #expect(try replica.read { try $0.record(record)?.setField("themes")?.elements } == [.string("remittances")])
            #expect(try replica.read { try $0.pendingSummary().count } == 0)
        }
        #expect(try certificateFirst.read { try $0.digest() } == certificateLast.read { try $0.digest() })
    }

    @Test("a certificate another process applied is seen by a process that kept its trust index in memory")
    func trustChangedByAnotherProcess() throws {
        let phl = try fixture.replica("phl")
        let record = try phl.createRecord(type: "practice", title: "Diaspora bonds")
        let recordBundle = try phl.createBundle(selection: Set(try phl.read { try $0.changeHashes(of: record) })).bytes
        let first = try fixture.store("shared")
        try first.deliver(try trustBundle(trustChanges()))
        try first.deliver(recordBundle)
        // A second process on the same database receives a new certificate.
        let second = try ReplicaStore(path: fixture.directory.path("shared.sqlite").path)
        var (newcomer, trust) = try fixture.enrolledSite(seed: 61)
        try second.deliver(try trustBundle(trust))
        let heads = try phl.read { try $0.heads(of: record) }
        let edit = forged(by: &newcomer, record, on: heads + trust, [.add(field: "themes", element: .string("remittances"))])
        try first.deliver(edit.bytes)
        #expect(try rejections(first).isEmpty)
        #expect(try first.read { try $0.record(record)?.setField("themes")?.elements } == [.string("remittances")])
    }

    @Test("a bundle opened before its sender's revocation was applied is refused by the transaction that would apply it")
    func revocationBetweenOpeningAndApplying() throws {
        let laptop = try fixture.replica("laptop")
        let record = try laptop.createRecord(type: "practice", title: "Diaspora bonds")
        let envelope = try BundleEnvelope(reading: try laptop.createBundle().bytes)
        let secretariat = fixture.root
        // Opened while the laptop was enrolled, as `gfmd bundle apply` opens it first.
        let bundle = try envelope.open(as: secretariat.bundleOpener)
        // Another process of the secretariat revokes the laptop meanwhile.
        try fixture.reopen("_root").revoke(site: laptop.identity.siteID.hex, reason: "laptop lost")
        #expect { try secretariat.apply(OpenedBundle(bundle), fileName: nil, pinning: nil, through: secretariat.store) } throws: {
            ($0 as? BundleError)?.code == .unknownSender
        }
        #expect(try secretariat.read { try $0.record(record) } == nil)
    }

    @Test("a replica that read its certificate sees the revocation another process applied")
    func trustStateFollowsTheLog() throws {
        let laptop = try fixture.replica("laptop")
        #expect(try laptop.certificate() != nil)
        #expect(try laptop.trustSnapshot()?.trust.revokedSerials.isEmpty == true)
        try fixture.root.revoke(site: laptop.identity.siteID.hex, reason: "laptop lost")
        try fixture.reopen("laptop").applyBundle(try fixture.root.createBundle().bytes)
        #expect(try laptop.certificate() == nil)
        #expect(try laptop.trustSnapshot()?.trust.revokedSerials.count == 1)
    }

    @Test("a laptop whose revocation another process applied is refused its next edit")
    func revocationAppliedByAnotherProcess() throws {
        let laptop = try fixture.replica("laptop")
        let record = try laptop.createRecord(type: "practice", title: "Diaspora bonds")
        try fixture.root.revoke(site: laptop.identity.siteID.hex, reason: "laptop lost")
        let sameLaptop = try fixture.reopen("laptop")
        try sameLaptop.applyBundle(try fixture.root.createBundle().bytes)
        #expect { try laptop.edit(record.hex, [.set(field: "contact", value: "Desk A")]) } throws: {
            ($0 as? AuthorizationError)?.code == .revoked
        }
    }

    @Test("an edit concurrent with its site's revocation is decided the same way everywhere; the next one is rejected")
    func revocationConcurrentWithEdit() throws {
        let phl = try fixture.replica("phl")
        let record = try phl.createRecord(type: "practice", title: "Diaspora bonds")
        let recordBundle = try phl.createBundle(selection: Set(try phl.read { try $0.changeHashes(of: record) })).bytes
        var (site, trust) = try fixture.enrolledSite(seed: 70)
        let heads = try phl.read { try $0.heads(of: record) }
        let concurrent = forged(by: &site, record, on: heads + trust, [.add(field: "themes", element: .string("diaspora"))])
        try fixture.root.revoke(site: site.id.hex)
        let revocation = try #require(try trustChanges().last)
        let afterwards = forged(by: &site, record, on: [concurrent.change, revocation], [.add(field: "themes", element: .string("return"))])
        let parts = [try trustBundle(trustChanges().dropLast()), try trustBundle([revocation]), recordBundle, concurrent.bytes, afterwards.bytes]

        var digests = Set<String>()
        for order in [[0, 1, 2, 3, 4], [0, 2, 3, 4, 1], [4, 3, 2, 1, 0], [2, 3, 0, 4, 1]] {
            let replica = try fixture.store("order\(order.map(String.init).joined())")
            for index in order { try replica.deliver(parts[index]) }
            // The revocation is not in the concurrent edit's past: it stands. It is in the next one's.
            #expect(try rejections(replica) == [afterwards.change: "revoked"], "order \(order)")
            #expect(try replica.read { try $0.record(record)?.setField("themes")?.elements } == [.string("diaspora")], "order \(order)")
            digests.insert(try replica.read { try $0.digest() })
        }
        #expect(digests.count == 1)
    }

    @Test("an observer reads but does not write; a change claiming another participant is rejected")
    func rolesAndParticipants() throws {
        let phl = try fixture.replica("phl")
        let observer = try fixture.replica("iom", participant: "IOM", role: .observer)
        #expect {
            try observer.createRecord(type: "practice", title: "Observed")
        } throws: { ($0 as? AuthorizationError)?.code == .wrongRole }
        let record = try phl.createRecord(type: "practice", title: "Diaspora bonds")
        let heads = try phl.read { try $0.heads(of: record) }
        let trust = try fixture.enrolledSite(seed: 80).trust
        // The same key, enrolled for PHL, signs a change claiming MEX.
        var impostor = TestSite(seed: 80, participant: "MEX", wall: fixture.clock.nowMilliseconds() + 1_000)
        let change = forged(by: &impostor, record, on: heads + trust, [.add(field: "themes", element: .string("x"))], sentFor: "PHL")
        let hub = try fixture.replica("hub", participant: "SEC")
        try phl.send(to: hub)
        try hub.applyBundle(change.bytes)
        #expect(try hub.rejected().map(\.code) == ["wrong_participant"])
    }

    /// Every ordering of `items`, in a fixed order.
    static func permutations(of items: [Int]) -> [[Int]] {
        guard items.count > 1 else { return [items] }
        return items.indices.flatMap { index in
            var rest = items
            let first = rest.remove(at: index)
            return permutations(of: rest).map { [first] + $0 }
        }
    }
}
