import Foundation
import GFMDCore
import GFMDReplica
import GFMDStore
import GFMDTestSupport
import GRDB
import Testing

/// The record columns SQL readers see (`Protocol/storage.md`).
@Suite("Stored record columns, as an auditor's SQL reads them")
struct StoredColumnsTests {
    @Test("an audit database's fields holds each displayed value by name; a set sharing its name with a single value is shown as `name (set)`")
    func fieldsColumn() throws {
        let fixture = ReplicaFixture()
        let store = try fixture.store("auditor")
        var (site, trust) = try fixture.enrolledSite(seed: 90)
        try store.deliver(try fixture.root.createBundle(selection: Set(trust)).bytes)
        let record = testRecordID(90)
        let creation = site.change(record, on: trust, [
            .create(type: "practice", owner: "PHL"), .set(field: "title", value: .string("Bonds \"2025\""), pred: []),
            .add(field: "partners", element: .string("UNDP")), .add(field: "partners", element: .string("ILO")),
            .add(field: "partners", element: .string("IOM")),
        ])
        // A newer version's field, written once as a single value and once as a set.
        let extra = site.change(record, on: [creation.hash], [.set(field: "extra", value: .string("one\ttwo\u{1}\\"), pred: [])])
        let extraSet = site.change(record, on: [extra.hash], [.add(field: "extra", element: .string("two"))])
        _ = try store.write { try $0.apply([VerifiedCommit.signing([creation, extra, extraSet], with: site.key)]) }
        #expect(try DatabaseQueue(path: store.path).read { db in
            try Bool.fetchOne(db, sql: "SELECT count(*) FROM pragma_table_info('record') WHERE name = 'fields'")
        } == false, "the replica derives them only for an audit database")
        let audit = fixture.directory.path("audit.sqlite")
        _ = try store.writeAuditDatabase(to: audit)
        let (fields, view) = try DatabaseQueue(path: audit.path).read { db in
            (try String.fetchOne(db, sql: "SELECT fields FROM record WHERE id = ?", arguments: [Data(record.bytes)]),
             try Row.fetchAll(db, sql: "SELECT name, value FROM audit_field WHERE record = ? ORDER BY name", arguments: [record.hex])
                .map { "\($0[0] as String)=\($0[1] as String)" })
        }
        #expect(fields == #"{"extra":"one\ttwo\u0001\\","extra (set)":["two"],"partners":["ILO","IOM","UNDP"],"title":"Bonds \"2025\""}"#)
        #expect(view == ["extra=one\ttwo\u{1}\\", #"extra (set)=["two"]"#, #"partners=["ILO","IOM","UNDP"]"#, #"title=Bonds "2025""#])
    }

    @Test("co_authors holds the record's co-authors, which the visibility SQL reads, and verify checks it")
    func coAuthorsColumn() throws {
        let fixture = ReplicaFixture()
        let laptop = try fixture.replica("laptop")
        let record = try laptop.createRecord(type: "practice", title: "Diaspora bonds", edits: [
            .add(field: "co_authors", value: "MEX"), .add(field: "co_authors", value: "BRA"),
        ])
        let path = laptop.directory.appendingPathComponent(Replica.databaseName).path
        let stored = try DatabaseQueue(path: path).read { db in
            try String.fetchOne(db, sql: "SELECT co_authors FROM record WHERE id = ?", arguments: [Data(record.bytes)])
        }
        #expect(stored == #"["BRA","MEX"]"#)
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "UPDATE record SET co_authors = '[\"MEX\"]' WHERE id = ?", arguments: [Data(record.bytes)])
        }
        let problems = try laptop.verify().problems
        #expect(problems.map(\.kind) == [.stateMismatch] && problems.first?.detail.contains("co_authors") == true, "\(problems)")
    }
}
