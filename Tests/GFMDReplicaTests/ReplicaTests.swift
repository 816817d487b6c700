import Foundation
import GFMDBundle
import GFMDCore
import GFMDReplica
import GFMDStore
import GFMDTestSupport
import Testing

@Suite("Replica")
struct ReplicaTests {
    @Test("a replica keeps its identity and records across restarts; its key is private")
    func reopen() throws {
        let fixture = ReplicaFixture()
        let replica = try fixture.replica("laptop1", author: "Maria Santos")
        let id = try replica.createRecord(type: "practice", title: "Diaspora bonds")
        let reopened = try fixture.reopen("laptop1")
        #expect(reopened.identity == replica.identity)
        #expect(try reopened.record(String(id.hex.prefix(8))).title == "Diaspora bonds")
        let attributes = try FileManager.default.attributesOfItem(atPath: fixture.directory.path("laptop1/site.key").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(throws: ReplicaError.self) { try fixture.replica("laptop1") }
    }

    @Test("the done-when scenario: concurrent set and adds on three replicas converge, conflict shown, resolved")
    func threeReplicas() throws {
        let fixture = ReplicaFixture()
        let laptop1 = try fixture.replica("laptop1", author: "Maria Santos")
        let laptop2 = try fixture.replica("laptop2", author: "Jose Rizal")
        let secretariat = try fixture.replica("sec", participant: "SEC", author: "Ana Lopez")
        let id = try laptop1.createRecord(type: "practice", title: "Diaspora bonds", edits: [.add(field: "partners", value: "IOM")])
        try laptop1.send(to: laptop2)
        try laptop1.send(to: secretariat)
        let prefix = String(id.hex.prefix(8))
        try laptop1.edit(prefix, [.set(field: "title", value: "Diaspora bonds for development")])
        try laptop2.edit(prefix, [.set(field: "title", value: "Philippine diaspora bonds")])
        try laptop1.edit(prefix, [.add(field: "partners", value: "ILO")])
        try laptop2.edit(prefix, [.add(field: "partners", value: "UNDP")])
        try secretariat.edit(prefix, [.add(field: "partners", value: "OECD")])
        let bundles = try [laptop1, laptop2, secretariat].map { try $0.createBundle().bytes }
        for (index, replica) in [laptop1, laptop2, secretariat].enumerated() {
            for (other, bundle) in bundles.enumerated().reversed() where other != index { try replica.applyBundle(bundle) }
        }
        let digests = try Set([laptop1, laptop2, secretariat].map { try $0.digest() })
        #expect(digests.count == 1)
        for replica in [laptop1, laptop2, secretariat] {
            let conflicts = try replica.conflicts()
            #expect(conflicts.count == 1)
            let values = try #require(conflicts.first?.fields.first { $0.field == "title" }).values
            #expect(Set(values.map(\.value)) == [.string("Diaspora bonds for development"), .string("Philippine diaspora bonds")])
            #expect(Set(values.map(\.author)) == ["Maria Santos", "Jose Rizal"])
            #expect(try replica.record(prefix).setField("partners")?.elements == ["ILO", "IOM", "OECD", "UNDP"].map(Value.string))
        }
        try secretariat.edit(prefix, [.resolve(field: "title", value: "Diaspora bonds for development")])
        for replica in [laptop1, laptop2] { try secretariat.send(to: replica) }
        for replica in [laptop1, laptop2, secretariat] {
            #expect(try replica.conflicts().isEmpty)
            #expect(try replica.record(prefix).title == "Diaspora bonds for development")
        }
        #expect(try Set([laptop1, laptop2, secretariat].map { try $0.digest() }).count == 1)
    }

    @Test("applying a bundle twice changes nothing, and the second time says when it was first applied")
    func duplicateBundle() throws {
        let fixture = ReplicaFixture()
        let laptop1 = try fixture.replica("laptop1")
        let laptop2 = try fixture.replica("laptop2")
        try laptop1.createRecord(type: "practice", title: "One")
        let bundle = try laptop1.send(to: laptop2)
        let digest = try laptop2.digest()
        let ledger = try laptop2.read { try $0.bundles() }
        let second = try laptop2.applyBundle(bundle)
        #expect(second.previouslyApplied == ledger.last?.appliedAt && second.previouslyApplied != nil)
        #expect(second.report == ApplyReport())
        #expect(try laptop2.digest() == digest)
        #expect(try laptop2.read { try $0.bundles() } == ledger)
        // A fresh bundle of the same changes is not a duplicate file, and changes nothing.
        let again = try laptop1.createBundle().bytes
        let outcome = try laptop2.applyBundle(again)
        let held = try laptop1.log().count
        #expect(outcome.report.applied == 0 && outcome.report.duplicates == held)
        #expect(try laptop2.digest() == digest)
    }

    @Test("changes whose dependencies are missing wait, survive a restart, and apply when the rest arrives")
    func pendingAcrossRestart() throws {
        let fixture = ReplicaFixture()
        let laptop1 = try fixture.replica("laptop1")
        let laptop2 = try fixture.replica("laptop2")
        let trust = Set(try laptop1.log().map(\.change))
        let id = try laptop1.createRecord(type: "practice", title: "One")
        let first = Set(try laptop1.log().map(\.change)).subtracting(trust)
        try laptop1.edit(id.hex, [.set(field: "contact", value: "Desk A")])
        let later = Set(try laptop1.log().map(\.change)).subtracting(first).subtracting(trust)
        let partial = try laptop1.createBundle(selection: later).bytes
        let outcome = try laptop2.applyBundle(partial)
        #expect(outcome.report.heldPending == 1 && outcome.report.applied == 0, "laptop1's certificate came with laptop2's enrolment")
        #expect(Set(try laptop2.pending().missing) == first)
        let restarted = try fixture.reopen("laptop2")
        #expect(try restarted.pending().count == 1)
        try restarted.applyBundle(try laptop1.createBundle(selection: Set(first)).bytes)
        #expect(try restarted.pending().count == 0)
        try restarted.send(to: laptop1)
        #expect(try restarted.digest() == laptop1.digest())
    }

    @Test("pending changes are listed with their bundle and what they lack (not counting what is held), and can be dropped")
    func pendingListedAndDropped() throws {
        let fixture = ReplicaFixture()
        let laptop1 = try fixture.replica("laptop1")
        let laptop2 = try fixture.replica("laptop2")
        let id = try laptop1.createRecord(type: "practice", title: "One")
        let creation = try laptop1.read { try $0.heads(of: id) }
        try laptop1.edit(id.hex, [.set(field: "contact", value: "Desk A")])
        let second = try laptop1.read { try $0.heads(of: id) }
        try laptop1.edit(id.hex, [.set(field: "contact", value: "Desk B")])
        let third = try laptop1.read { try $0.heads(of: id) }
        // The second and third edits, without the creation: the third waits for the second, which is held.
        _ = try laptop2.applyBundle(try laptop1.createBundle(selection: Set(second + third)).bytes, fileName: "late.gfmd")
        let pending = try laptop2.pendingChanges()
        #expect(Set(pending.map(\.encoded.hash)) == Set(second + third))
        #expect(pending.allSatisfy { $0.bundle == "late.gfmd" })
        #expect(Set(pending.flatMap(\.missing)) == Set(creation), "only what is not held at all is missing")
        #expect(try laptop2.pending().missing == creation)
        // Dropping the second drops the third, which waits on it.
        #expect(throws: InputError.self) { try laptop2.dropPending(["zzzz"]) }
        let digest = try laptop2.digest()
        #expect(Set(try laptop2.dropPending([String(second[0].hex.prefix(6))])) == Set(second + third))
        #expect(try laptop2.pendingChanges().isEmpty && laptop2.digest() == digest)
        // They apply after all when they come again with what they lacked.
        #expect(try laptop2.applyBundle(try laptop1.createBundle().bytes).report.applied == 3)
        try laptop2.send(to: laptop1)
        #expect(try laptop2.digest() == laptop1.digest())
    }

    @Test("a record deleted on one laptop while edited on another is a visible conflict until restored")
    func deleteVersusEdit() throws {
        let fixture = ReplicaFixture()
        let laptop1 = try fixture.replica("laptop1")
        let laptop2 = try fixture.replica("laptop2")
        let id = try laptop1.createRecord(type: "practice", title: "One")
        try laptop1.send(to: laptop2)
        try laptop1.edit(id.hex, [.delete])
        try laptop2.edit(id.hex, [.set(field: "contact", value: "Desk B")])
        try laptop1.send(to: laptop2)
        try laptop2.send(to: laptop1)
        for replica in [laptop1, laptop2] {
            let deletion = try #require(try replica.conflicts().first?.deletion)
            #expect(deletion.deleted)
            #expect(deletion.unseenEdits.map(\.fields) == [["contact"]])
        }
        try laptop2.edit(id.hex, [.restore])
        try laptop2.send(to: laptop1)
        #expect(try laptop1.conflicts().isEmpty)
        #expect(try !laptop1.record(id.hex).isDeleted)
        #expect(try laptop1.digest() == laptop2.digest())
    }

    @Test("changes to records, fields and operations this version does not know are stored and forwarded")
    func forwardCompatibility() throws {
        let fixture = ReplicaFixture()
        let hub = try fixture.replica("hub", participant: "SEC")
        let downstream = try fixture.replica("downstream")
        var (future, trust) = try fixture.enrolledSite(seed: 42, author: "Future gfmd")
        let record = testRecordID(5)
        let change = future.change(record, on: trust, [
            .create(type: "meeting_note", owner: "PHL"),
            .set(field: "agenda", value: .string("Item 1"), pred: []),
            .unknown(kind: 77, payload: [1, 2, 3, 4]),
        ])
        let commit = BundleCommit(VerifiedCommit.signing([change], with: future.key))
        let file = Bundle.encode([commit], sender: future.key, participant: "PHL", created: change.change.timestamp)
        try hub.applyBundle(file)
        try hub.send(to: downstream)
        let forwarded = try #require(try downstream.log(LogFilter(record: record.hex)).first)
        #expect(forwarded.change == change.hash)
        #expect(forwarded.operations.contains("operation of unknown kind 77 (4 bytes)"))
        #expect(try downstream.record(record.hex).registerField("agenda")?.winner?.value == .string("Item 1"))
        #expect(try downstream.digest() == hub.digest())
    }
}
