import Foundation
@testable import GFMDBundle
import GFMDCore
import GFMDReplica
import GFMDStore
import GFMDTestSupport
import GRDB
import Testing

/// Every hostile input is refused with an error naming what is wrong, and the
/// replica's digest (and everything else) stays as it was.
@Suite("Bad input leaves the replica unchanged")
struct BadInputTests {
    let fixture = ReplicaFixture()
    let sender: Replica
    let receiver: Replica
    let bundle: [UInt8]
    let recordID: RecordID

    init() throws {
        sender = try fixture.replica("sender", author: "Maria Santos")
        receiver = try fixture.replica("receiver", participant: "SEC")
        recordID = try sender.createRecord(type: "practice", title: "Diaspora bonds", edits: [.add(field: "partners", value: "IOM")])
        try sender.edit(recordID.hex, [.set(field: "contact", value: "Desk A")])
        try receiver.createRecord(type: "knowledge_gap", title: "Return migration data")
        bundle = try sender.createBundle().bytes
    }

    /// Runs `body`, which must throw an error whose text contains `expected`, and checks nothing changed.
    func expectRefused(_ expected: String, _ body: () throws -> Void) throws {
        let digest = try receiver.digest()
        let changes = try receiver.log().count
        let ledger = try receiver.read { try $0.bundles().count }
        do {
            try body()
            Issue.record("expected a refusal mentioning \"\(expected)\"")
        } catch {
            #expect(expected.isEmpty || "\(error)".contains(expected), "error was: \(error)")
            #expect(!"\(error)".contains("\n"), "one-line message")
        }
        #expect(try receiver.digest() == digest)
        #expect(try receiver.log().count == changes)
        #expect(try receiver.read { try $0.bundles().count } == ledger)
    }

    @Test("truncated bundles, at a sample of offsets")
    func truncated() throws {
        for length in stride(from: 0, to: bundle.count, by: max(1, bundle.count / 40)) {
            try expectRefused("truncated") { try receiver.applyBundle(Array(bundle.prefix(length))) }
        }
    }

    @Test("bit-flipped bundles")
    func bitFlipped() throws {
        for index in stride(from: 20, to: bundle.count, by: max(1, bundle.count / 30)) {
            var damaged = bundle
            damaged[index] ^= 0x10
            try expectRefused("") { try receiver.applyBundle(damaged) }
        }
    }

    @Test("a wrongly signed bundle")
    func wronglySigned() throws {
        let impostor = SiteSigningKey()
        var forged = Array(bundle.dropLast(64))
        let checksum = Array(forged.suffix(32))
        forged += impostor.signature(for: Array("gfmd bundle v1".utf8) + [0] + checksum)
        try expectRefused("signature does not verify") { try receiver.applyBundle(forged) }
    }

    @Test("a bundle of another format version")
    func wrongVersion() throws {
        var newer = bundle
        newer[9] = 7
        try expectRefused("version 7") { try receiver.applyBundle(newer) }
    }

    /// Makes an enrolled secretariat store at `path` holding the trust
    /// record, and answers its size in pages.
    func enrolledStore(at path: String) throws -> Int {
        let root = try #require(try fixture.root.pinnedRoot())
        let store = try ReplicaStore(path: path)
        try store.write { writer in
            try writer.initialise(StoredIdentity(publicKey: SiteSigningKey().publicKey, participant: "SEC", author: "Hub"))
            try writer.pin(root: root)
        }
        try store.deliver(try fixture.root.createBundle().bytes)
        return try DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "PRAGMA page_count")! }
    }

    /// Gives the sender a long text that needs far more than a few pages,
    /// even packed: letters no compressor can shrink to 16 KiB.
    @discardableResult
    func addLongEvidence() throws -> RecordID {
        let long = try sender.createRecord(type: "knowledge_gap", title: "Evidence")
        var generator = SeededGenerator(seed: 7)
        let letters = Array("abcdefghijklmnopqrstuvwxyz ")
        let evidence = String((0..<64_000).map { _ in letters[Int(generator.next() % UInt64(letters.count))] })
        try sender.edit(long.hex, [.set(field: "evidence", value: evidence)])
        return long
    }

    @Test("a full disk in a batch of bundles: the bundle that filled it is undone, and those before it are kept or reported lost, never reported kept and lost")
    func diskFullInABatch() throws {
        let path = fixture.directory.path("batch.sqlite").path
        let small = try fixture.replica("small")
        let smallRecord = try small.createRecord(type: "practice", title: "Skills partnerships")
        let pages = try enrolledStore(at: path)
        try addLongEvidence()
        let smallCommits = try Bundle(reading: try small.createBundle().bytes).verifiedCommits()
        let bigCommits = try Bundle(reading: try sender.createBundle().bytes).verifiedCommits()
        let full = try ReplicaStore(path: path, maximumPages: pages + 8)
        let before = try full.read { try $0.digest() }

        let (first, filling, committed) = try full.writeBatch { batch in
            (Result { try batch.write { try $0.apply(smallCommits) } },
             Result { try batch.write { try $0.apply(bigCommits) } },
             Result { try batch.commit() })
        }

        #expect(throws: Never.self) { try first.get() }
        #expect { try filling.get() } throws: { ($0 as? StoreError)?.code == .diskFull }
        let held = try full.read { reader in try reader.changeHashes(of: smallRecord).isEmpty == false }
        switch committed {
        case .success: #expect(held, "the batch committed without the bundle before the one that filled the disk")
        case .failure(let error):
            #expect((error as? StoreError)?.code == .diskFull)
            #expect(try full.read { try $0.digest() } == before)
        }
    }

    @Test("a full disk met while the apply's rows are written on another core: the apply is refused whole, and the next one works")
    func diskFullWhileAppending() throws {
        let path = fixture.directory.path("lane.sqlite").path
        let pages = try enrolledStore(at: path)
        let evidence = try addLongEvidence()
        // The long body's block is handed to the other core with a batch of
        // the rows after it (``AppendLane``): the disk fills there, mid-apply.
        for round in 0..<2 * 64 {
            try sender.edit(evidence.hex, [.set(field: "theme", value: "Evidence, round \(round)")])
        }
        let big = try sender.createBundle().bytes
        let full = try ReplicaStore(path: path, maximumPages: pages + 4)
        let before = try full.read { try $0.digest() }
        #expect { try full.deliver(big) } throws: { ($0 as? StoreError)?.code == .diskFull }
        #expect(try full.read { try $0.digest() } == before)
        #expect(try full.read { try $0.bundles().isEmpty })

        let roomy = try ReplicaStore(path: path)
        try roomy.deliver(big)
        #expect(try roomy.read { try $0.changeHashes(of: evidence).count } == 2 * 64 + 2)
    }

    @Test("a bundle signed by another site than the one expected")
    func wrongSender() throws {
        let stranger = try fixture.replica("stranger")
        try expectRefused("not by site \(stranger.siteID.short)") { try receiver.applyBundle(bundle, sender: stranger.identity.publicKey) }
    }

    @Test("a full disk refuses the apply whole and says so; a replica locked too long by another writer says what it waits for")
    func diskFullAndLocked() throws {
        let path = fixture.directory.path("small.sqlite").path
        let pages = try enrolledStore(at: path)
        try addLongEvidence()
        let big = try sender.createBundle().bytes
        let full = try ReplicaStore(path: path, maximumPages: pages + 4)
        let before = try full.read { try $0.digest() }
        #expect { try full.deliver(big) } throws: { error in
            (error as? StoreError)?.code == .diskFull && "\(error)".contains("is full: nothing was changed")
        }
        #expect(try full.read { try $0.digest() } == before)

        let locked = try ReplicaStore(path: path, lockTimeout: 0.3)
        try DatabaseQueue(path: path).writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            #expect { try locked.deliver(big) } throws: { error in
                (error as? StoreError)?.code == .locked && "\(error)".contains("another gfmd process has been writing to this replica")
            }
            try db.execute(sql: "ROLLBACK")
        }
        try locked.deliver(big)
        #expect(try locked.read { try $0.digest() } != before)
    }

    @Test("a decompression bomb from an enrolled site")
    func bomb() throws {
        // Correctly signed, but 16 MiB of zeros declared as 1,000 bytes.
        var (site, _) = try fixture.enrolledSite(seed: 12)
        let bomb = Bundle.seal(body: [UInt8](repeating: 0, count: 16 << 20), changeCount: 0, sender: site.key, participant: "PHL",
                               created: site.tick(), level: 9, declaredBodySize: 1000)
        try expectRefused("decompression bomb") { try receiver.applyBundle(bomb) }
    }

    @Test("a stranger's bundle is refused before its body is inflated, whatever it declares")
    func stranger() throws {
        // An honestly declared 64 MiB body, signed by a key no certificate names:
        // inflating it would succeed, and only then fail on its contents.
        let key = SiteSigningKey()
        let large = Bundle.seal(body: [UInt8](repeating: 0, count: 64 << 20), changeCount: 0, sender: key, participant: "PHL",
                                created: HybridTimestamp(milliseconds: fixture.clock.nowMilliseconds(), counter: 0), level: 9)
        try expectRefused("not enrolled with this replica's secretariat") { try receiver.applyBundle(large) }
        #expect { try receiver.applyBundle(large) } throws: { ($0 as? BundleError)?.code == .unknownSender }
        // A real bundle's body, re-signed by a throwaway key that claims to be the secretariat.
        let body = try BundleEnvelope(reading: bundle).open()
        let relabelled = Bundle.encode(body.commits.map { BundleCommit(signer: $0.signer, leafCount: $0.leafCount, signature: $0.signature,
                                                                          leaves: $0.leaves.map { ($0.index, $0.change.bytes) }, proof: $0.proof) },
                                       sender: key, participant: "SEC", created: body.header.created)
        try expectRefused("is not enrolled") { try receiver.applyBundle(relabelled) }
        // An enrolled key whose header claims another participant, with terminal escapes: refused, and quoted.
        let (site, _) = try fixture.enrolledSite(seed: 13)
        let escaped = Bundle.seal(body: [], changeCount: 0, sender: site.key, participant: "SEC\u{1B}[2J\u{202E}",
                                  created: HybridTimestamp(milliseconds: fixture.clock.nowMilliseconds() + 2_000, counter: 0))
        try expectRefused("\"SEC\\u{001B}[2J\\u{202E}\"") { try receiver.applyBundle(escaped) }
        // A revoked laptop, once the receiver holds the revocation.
        try fixture.root.revoke(site: site.id.hex, reason: "laptop lost")
        try fixture.shareTrust()
        let late = Bundle.seal(body: [], changeCount: 0, sender: site.key, participant: "PHL",
                               created: HybridTimestamp(milliseconds: fixture.clock.nowMilliseconds() + 3_000, counter: 0))
        try expectRefused("was revoked") { try receiver.applyBundle(late) }
    }

    @Test("unknown participant codes, values of the wrong kind, unknown record ids")
    func badEdits() throws {
        let id = try receiver.list().first!.id.hex
        try expectRefused("not a participant code") { try receiver.edit(id, [.add(field: "proposers", value: "XYZ")]) }
        try expectRefused("is a set") { try receiver.edit(id, [.set(field: "proposers", value: "PHL")]) }
        try expectRefused("not a set") { try receiver.edit(id, [.add(field: "theme", value: "x")]) }
        try expectRefused("no field") { try receiver.edit(id, [.set(field: "colour", value: "blue")]) }
        try expectRefused("no record") { try receiver.edit("deadbeef", [.set(field: "theme", value: "x")]) }
        try expectRefused("not a record id") { try receiver.edit("zz", [.set(field: "theme", value: "x")]) }
        try expectRefused("bidirectional") { try receiver.edit(id, [.set(field: "theme", value: "a\u{202E}b")]) }
        try expectRefused("not a record type") { try receiver.createRecord(type: "memo", title: "x") }
    }

    /// Applies `file`, which must keep its one change in the rejected ledger
    /// with `code`: a verdict every replica reaches, not a refusal of the
    /// bundle, so that a replica forwarding the rejected change is not refused in turn.
    func expectRejected(_ code: String, _ file: [UInt8], change: ChangeHash) throws {
        let digest = try receiver.digest()
        let outcome = try receiver.applyBundle(file)
        #expect(outcome.report.rejected == 1 && outcome.report.applied == 0)
        let rejected = try receiver.read { try $0.rejectedChanges() }
        #expect(rejected.map(\.encoded.hash) == [change] && rejected.first?.code == code, "\(rejected.map(\.code))")
        #expect(try receiver.digest() == digest)
        // Forwarded as it is, by a replica that holds it as rejected, to one that never saw it.
        let other = try fixture.replica("other", participant: "SEC")
        try other.applyBundle(bundle)
        try other.applyBundle(try receiver.createBundle().bytes)
        #expect(try other.read { try $0.rejectedChanges() }.map(\.code) == [code])
    }

    @Test("a change of the wrong kind inside a correctly signed bundle is rejected, not applied")
    func wrongKindInBundle() throws {
        try receiver.applyBundle(bundle)
        let heads = try receiver.read { try $0.heads(of: recordID) }
        var (rogue, trust) = try fixture.enrolledSite(seed: 9, author: "Rogue")
        let change = rogue.change(recordID, on: heads + trust, [.set(field: "partners", value: .string("IOM"), pred: [])])
        let file = Bundle.encode([BundleCommit(VerifiedCommit.signing([change], with: rogue.key))],
                                 sender: rogue.key, participant: "PHL", created: change.change.timestamp)
        try expectRejected("wrong_kind", file, change: change.hash)
    }

    @Test("a change depending on another record's change is rejected, not applied")
    func foreignDependency() throws {
        try receiver.applyBundle(bundle)
        let otherRecord = try receiver.list().first { $0.type == "knowledge_gap" }!.id
        let foreignHead = try receiver.read { try $0.heads(of: otherRecord) }
        var (rogue, trust) = try fixture.enrolledSite(seed: 9, author: "Rogue")
        let change = rogue.change(recordID, on: foreignHead + trust, [.set(field: "contact", value: .string("x"), pred: [])])
        let file = Bundle.encode([BundleCommit(VerifiedCommit.signing([change], with: rogue.key))],
                                 sender: rogue.key, participant: "PHL", created: change.change.timestamp)
        try expectRejected("foreign_dependency", file, change: change.hash)
    }
}
