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
    @Test("fields holds each displayed value by name; a set sharing its name with a single value is shown as `name (set)`")
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
        let fields = try DatabaseQueue(path: store.path).read { db in
            try String.fetchOne(db, sql: "SELECT fields FROM record WHERE id = ?", arguments: [Data(record.bytes)])
        }
        #expect(fields == #"{"extra":"one\ttwo\u0001\\","extra (set)":["two"],"partners":["ILO","IOM","UNDP"],"title":"Bonds \"2025\""}"#)
    }
}
