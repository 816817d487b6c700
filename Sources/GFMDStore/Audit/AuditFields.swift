import Foundation
import GFMDCore
import GRDB

/// The `audit_field` view of an audit database (`Protocol/storage.md`):
/// each record's displayed fields, derived from its merged state when the
/// audit database is written, as `record.fields`; the replica itself does
/// not keep them.
enum AuditFields {
    /// Adds `record.fields` to the copy of a replica's database `db`, filled
    /// from each record's state, and the `audit_field` view over it; answers
    /// how many records it filled.
    static func fill(_ db: Database) throws -> Int {
        try db.execute(sql: "ALTER TABLE record ADD COLUMN fields TEXT NOT NULL DEFAULT '{}'")
        let update = try db.makeStatement(sql: "UPDATE record SET fields = ? WHERE id = ?")
        var filled = 0
        for data in try Data.fetchAll(db, sql: "SELECT id FROM record ORDER BY id") {
            guard let state = try StoredRecord.load(try RecordID(data: data), from: db)?.state else { continue }
            try update.execute(arguments: [state.displayJSON, data])
            filled += 1
        }
        try db.execute(sql: """
            CREATE VIEW audit_field AS
                SELECT lower(hex(r.id)) AS record, f.key AS name, f.value AS value,
                       EXISTS (SELECT 1 FROM json_each(r.conflicts) c WHERE c.value = f.key) AS conflicted
                FROM record r, json_each(r.fields) f;
            """)
        return filled
    }
}
