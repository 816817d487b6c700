import Foundation
import GFMDCore
import GFMDReplica
import GFMDStore
import GFMDTestSupport
import GRDB
import Testing

/// `gfmd verify`: an intact replica verifies, and a database altered behind
/// gfmd's back is caught, naming what was altered.
@Suite("Verifying a replica's history and state")
struct VerifyTests {
    /// A secretariat hub holding a PHL practice with a text, an edit, a change
    /// forged with MEX's key (rejected) and a change whose dependency has not
    /// arrived (pending).
    struct Hub {
        let fixture = ReplicaFixture()
        let hub: Replica
        let practice: RecordID
        /// The practice's latest applied change (it set `contact`).
        let edit: ChangeHash
        let forged: ChangeHash
        let pending: ChangeHash
        let phlSite: SiteID

        init() throws {
            hub = try fixture.replica("hub", participant: "SEC")
            let phl = try fixture.replica("phl")
            let mex = try fixture.replica("mex", participant: "MEX")
            practice = try phl.createRecord(type: "practice", title: "Diaspora bonds",
                                            edits: [.set(field: "summary", value: "Bonds for the diaspora.\n\nSold in 2025.")])
            edit = try phl.edit(practice.hex, [.set(field: "contact", value: "Desk A")])
            try hub.applyBundle(try phl.createBundle(for: .secretariat).bytes)
            try hub.applyBundle(try mex.createBundle(for: .secretariat).bytes)
            let title = try hub.record(practice.hex).registerField("title")!.currentWrites
            let forgery = Forgery.bundle(
                key: try Forgery.siteKey(in: mex.directory), participant: "MEX", author: "Luis Garcia", record: practice,
                dependencies: [edit] + (try mex.read { try $0.trustChanges(concerning: mex.identity.siteID) }),
                operations: [.set(field: "title", value: .string("Taken over"), pred: title)],
                at: HybridTimestamp(milliseconds: fixture.clock.nowMilliseconds(), counter: 0))
            try hub.applyBundle(forgery.bytes)
            forged = forgery.change
            try phl.edit(practice.hex, [.add(field: "partners", value: "IOM")])
            pending = try phl.edit(practice.hex, [.add(field: "partners", value: "ILO")])
            try hub.applyBundle(try phl.createBundle(selection: [pending]).bytes)
            phlSite = phl.identity.siteID
        }

        /// Runs SQL on the hub's database through a connection of its own, as
        /// the `sqlite3` shell would: foreign keys not enforced.
        func alter(_ sql: String, _ arguments: StatementArguments = []) throws {
            var shell = Configuration()
            shell.foreignKeysEnabled = false
            let queue = try DatabaseQueue(path: hub.directory.appendingPathComponent(Replica.databaseName).path, configuration: shell)
            try queue.write { try $0.execute(sql: sql, arguments: arguments) }
        }
    }

    @Test("a replica holding applied, rejected and pending changes verifies intact, and its digest equals the replay's",
          arguments: [1, 1024])
    func intact(replayBatch: Int) throws {
        let scene = try Hub()
        #expect(try scene.hub.rejected().map(\.encoded.hash) == [scene.forged])
        #expect(try scene.hub.pending().count == 1)
        let store = try ReplicaStore(path: scene.hub.directory.appendingPathComponent(Replica.databaseName).path)
        let verification = try store.verify(replayBatch: replayBatch)
        #expect(verification.isIntact, "\(verification.problems)")
        let held = try scene.hub.read { reader in try reader.changeCount() }
        #expect(verification.changes == held + 2, "the log, the rejected change and the pending one")
        #expect(verification.records == (try scene.hub.read { try $0.recordCount() }))
        #expect(verification.digest == (try scene.hub.digest()))
        #expect(verification.replayedDigest == verification.digest)
        #expect(verification.root == (try scene.fixture.root.pinnedRoot())?.siteID)
    }

    /// The body of change `hash` as an auditor reads it in the `sqlite3` shell:
    /// `substr(sqlar_uncompress(packed, size), block_offset + 1, change.size)`.
    static func body(of hash: ChangeHash, in db: Database) throws -> Data {
        let row = try #require(try Row.fetchOne(db, sql: """
            SELECT b.packed, b.size, c.block_offset, c.size FROM change c JOIN body_block b ON b.id = c.block WHERE c.hash = ?
            """, arguments: [Data(hash.bytes)]))
        let packed: Data = row[0]
        let block = packed.count == row[1] ? packed : Data(Inflate.everyWay([UInt8](packed)[...], limit: row[1])[1])
        let offset: Int = row[2]
        return block.subdata(in: offset..<offset + (row[3] as Int))
    }

    /// One way of altering the database, and what verify must report.
    struct Alteration: Sendable, CustomTestStringConvertible {
        let name: String
        let alter: @Sendable (Hub) throws -> Void
        let expected: @Sendable (Hub) -> [(VerificationProblem.Kind, String)]
        var testDescription: String { name }
    }

    static let alterations: [Alteration] = [
        Alteration(name: "a record's title rewritten") { scene in
            try scene.alter("UPDATE record SET title = 'Forged title' WHERE id = ?", [Data(scene.practice.bytes)])
        } expected: { [(.stateMismatch, $0.practice.hex)] },
        Alteration(name: "a co-author added in a record's co_authors column, which visibility reads") { scene in
            try scene.alter(#"UPDATE record SET co_authors = '["MEX"]' WHERE id = ?"#, [Data(scene.practice.bytes)])
        } expected: { [(.stateMismatch, $0.practice.hex)] },
        Alteration(name: "a record's checkpoint replaced by another record's") { scene in
            try scene.alter("""
                UPDATE record SET (state, state_size, tail_changes) = (SELECT state, state_size, 0 FROM record WHERE id != ?1 LIMIT 1) WHERE id = ?1
                """, [Data(scene.practice.bytes)])
        } expected: { [(.stateMismatch, $0.practice.hex)] },
        Alteration(name: "an applied change erased from the log") { scene in
            try scene.alter("DELETE FROM change WHERE hash = ?", [Data(scene.edit.bytes)])
        } expected: { [(.stateMismatch, $0.practice.hex)] },
        Alteration(name: "a change's author rewritten in the log") { scene in
            try scene.alter("UPDATE change SET author = 'Somebody Else' WHERE hash = ?", [Data(scene.edit.bytes)])
        } expected: { [(.logMismatch, $0.edit.hex)] },
        Alteration(name: "a change's signed bytes altered") { scene in
            let queue = try DatabaseQueue(path: scene.hub.directory.appendingPathComponent(Replica.databaseName).path)
            try queue.write { db in
                // Altered, stored back in a block of its own, unpacked, and the change pointed at it.
                let body = try VerifyTests.body(of: scene.edit, in: db)
                let altered = try #require(body.range(of: Data("Desk A".utf8)))
                var forged = body
                forged.replaceSubrange(altered, with: Data("Desk B".utf8))
                try db.execute(sql: "INSERT INTO body_block(packed, size) VALUES (?, ?)", arguments: [forged, forged.count])
                try db.execute(sql: "UPDATE change SET block = ?, block_offset = 0, size = ? WHERE hash = ?",
                               arguments: [db.lastInsertedRowID, forged.count, Data(scene.edit.bytes)])
            }
        } expected: { [(.damagedChange, $0.edit.hex), (.badSignature, $0.phlSite.hex)] },
        Alteration(name: "a change pointed at the body of the change before it in its block") { scene in
            try scene.alter("UPDATE change SET block_offset = block_offset - 1 WHERE hash = ?", [Data(scene.edit.bytes)])
        } expected: { [(.damagedChange, $0.edit.hex), (.badSignature, $0.phlSite.hex)] },
        Alteration(name: "a block of bodies erased") { scene in
            try scene.alter("DELETE FROM body_block WHERE id = (SELECT block FROM change WHERE hash = ?)", [Data(scene.edit.bytes)])
        } expected: { scene in [(.damagedChange, scene.edit.hex), (.badSignature, scene.phlSite.hex)] },
        Alteration(name: "a change's recorded size rewritten, far beyond any change") { scene in
            try scene.alter("UPDATE change SET size = 1 << 40 WHERE hash = ?", [Data(scene.edit.bytes)])
        } expected: { [(.damagedChange, $0.edit.hex), (.badSignature, $0.phlSite.hex)] },
        Alteration(name: "an applied change moved from the log to the rejected ones") { scene in
            let queue = try DatabaseQueue(path: scene.hub.directory.appendingPathComponent(Replica.databaseName).path)
            try queue.write { db in
                try db.execute(sql: """
                    INSERT INTO rejected(hash, record, commit_id, leaf_index, bundle_id, code, reason, rejected_seq, body, size, site, hlc)
                    SELECT hash, record, commit_id, leaf_index, bundle_id, 'wrong_role', 'forged', 99, ?, size, site, hlc FROM change WHERE hash = ?
                    """, arguments: [try VerifyTests.body(of: scene.edit, in: db), Data(scene.edit.bytes)])
            }
            try scene.alter("DELETE FROM change WHERE hash = ?", [Data(scene.edit.bytes)])
        } expected: { [(.logMismatch, $0.edit.hex), (.verdictMismatch, $0.edit.hex)] },
        Alteration(name: "a rejected change's verdict rewritten") { scene in
            try scene.alter("UPDATE rejected SET code = 'locked' WHERE hash = ?", [Data(scene.forged.bytes)])
        } expected: { [(.verdictMismatch, $0.forged.hex)] },
        Alteration(name: "the bundle that brought a change erased from the ledger") { scene in
            try scene.alter("DELETE FROM bundle WHERE id = (SELECT bundle_id FROM change WHERE hash = ?)", [Data(scene.edit.bytes)])
        } expected: { [(.brokenReference, $0.edit.hex)] },
        Alteration(name: "a site's kept fingerprint made to count one change more") { scene in
            try scene.alter("UPDATE site_fingerprint SET count = count + 1 WHERE site = ?", [Data(scene.phlSite.bytes)])
        } expected: { [(.fingerprintMismatch, $0.phlSite.hex)] },
        Alteration(name: "a site's public key replaced") { scene in
            let root = try #require(try scene.fixture.root.pinnedRoot())
            try scene.alter("UPDATE site SET public_key = ? WHERE id = ?", [Data(root.rawRepresentation), Data(scene.phlSite.bytes)])
        } expected: { [(.damagedSite, $0.phlSite.hex)] },
    ]

    @Test("an alteration made outside gfmd is reported, naming what was altered", arguments: alterations)
    func alteration(_ alteration: Alteration) throws {
        let scene = try Hub()
        try alteration.alter(scene)
        let verification = try scene.hub.verify()
        #expect(!verification.isIntact)
        let found = Set(verification.problems.map { "\($0.kind.rawValue) \($0.subject)" })
        for (kind, subject) in alteration.expected(scene) {
            #expect(found.contains("\(kind.rawValue) \(subject)"), "\(verification.problems)")
        }
        // The same problems, in the same order, when each commit is a replay batch of its own.
        let store = try ReplicaStore(path: scene.hub.directory.appendingPathComponent(Replica.databaseName).path, access: .readOnly)
        #expect(try store.verify(replayBatch: 1).problems == verification.problems)
    }

    @Test("a change found invalid when its dependency arrived is rejected by the replay too")
    func invalidReleasedFromPending() throws {
        let fixture = ReplicaFixture()
        let store = try fixture.store("auditor")
        var (site, trust) = try fixture.enrolledSite(seed: 80)
        let record = testRecordID(80)
        let creation = site.change(record, on: trust, [.create(type: "practice", owner: "PHL"), .set(field: "title", value: .string("One"), pred: [])])
        // `title` is a single value: adding to it is valid bytes, but not for a practice.
        let invalid = site.change(record, on: [creation.hash], [.add(field: "title", element: .string("Two"))])
        func deliver(_ changes: [EncodedChange]) throws {
            _ = try store.write { try $0.apply([VerifiedCommit.signing(changes, with: site.key)]) }
        }
        try store.deliver(try fixture.root.createBundle(selection: Set(trust)).bytes)
        try deliver([invalid])
        try deliver([creation])
        let rejected = try store.read { try $0.rejectedChanges() }
        #expect(rejected.map(\.encoded.hash) == [invalid.hash] && rejected.first?.code == "wrong_kind")
        for replayBatch in [1, 1024] {
            let verification = try store.verify(replayBatch: replayBatch)
            #expect(verification.isIntact, "\(verification.problems)")
        }
    }
}
