import Foundation
import GFMDCore
import GRDB

// What each change did to each field, in words an `sqlite3` user can query:
// the `ops` column of an audit database's `change` table, expanded by its
// `audit_field_history` view (`Protocol/storage.md`, "The audit database").

/// The `ops` column of an audit database: one JSON array per change, one
/// element per operation, `[field, operation, value, supersedes]`.
enum FieldHistory {
    /// The `audit_field_history` view over the `ops` column.
    static let viewSQL = """
        CREATE VIEW audit_field_history AS
            SELECT c.seq, lower(hex(c.hash)) AS change, lower(hex(c.record)) AS record,
                   o.value ->> 0 AS field, o.value ->> 1 AS operation, o.value -> 2 AS value, o.value -> 3 AS supersedes,
                   c.author, c.participant, lower(hex(c.site)) AS site, \(StoreMigrations.time("c.hlc")) AS time,
                   b.file_name AS bundle_file, lower(hex(b.checksum)) AS bundle_checksum,
                   coalesce(b.applied_at, \(StoreMigrations.time("c.hlc"))) AS held_since
            FROM change c JOIN json_each(c.ops) o LEFT JOIN bundle b ON b.id = c.bundle_id
        """

    /// Adds the `ops` column to the log of `db` and fills it from the
    /// changes' bytes, record by record: deleted text is read from the
    /// record's tombstones, as each change meant the elements it named.
    static func fill(_ db: Database) throws -> (changes: Int, operations: Int) {
        try db.execute(sql: "ALTER TABLE change ADD COLUMN ops TEXT NOT NULL DEFAULT '[]'")
        let update = try db.makeStatement(sql: "UPDATE change SET ops = ? WHERE seq = ?")
        let reader = StoreReader(db: db)
        var current: (id: RecordID, state: RecordState?)?
        var counts = (changes: 0, operations: 0)
        // Records in the order of their first change, so that the records
        // one apply brought, whose changes share a few body blocks, come
        // one after another while those blocks are still unpacked (``LogBodies``).
        let rows = try Row.fetchAll(db, sql: """
            SELECT c.seq, c.hash, c.record, \(BodyBlocks.columns)
            FROM change c JOIN (SELECT record, min(seq) AS first FROM change GROUP BY record) f ON f.record = c.record
            ORDER BY f.first, c.seq
            """)
        let bodies = LogBodies(db)
        for row in rows {
            let record = try RecordID(data: row[2])
            if current?.id != record { current = (record, try StoredRecord.load(record, from: db)?.state) }
            guard let state = current?.state else { continue }
            let change = try bodies.change(row, at: 3)
            let hash = try Hash256(data: row[1])
            let json = try json(of: change.change.operations) { field, item, range in
                try state.content(of: range, in: field, item: item) { try reader.ancestry(of: [hash]) }
            }
            try update.execute(arguments: [json, row[0] as Int64])
            counts.changes += 1
            counts.operations += change.change.operations.count
        }
        try db.execute(sql: viewSQL)
        return counts
    }

    /// A change's `operations` as the `ops` JSON; `content` reads the
    /// characters a range of a text field (or of a list item's text) named.
    static func json(of operations: [ChangeOperation],
                     content: (String, CharID?, CharRange) throws -> [Unicode.Scalar]) throws -> String {
        var json = ""
        try JSON.appendArray(operations, to: &json) { operation, json in
            try operation.appendHistoryJSON(content: content, to: &json)
        }
        return json
    }
}

extension ChangeOperation {
    /// Appends `[field, operation, value, supersedes]`: the field (null for a
    /// record-wide or trust operation), the operation's name, its value as
    /// JSON, and the writes or additions it supersedes, each by the first 16
    /// hexadecimal digits of its id (enough within one record's history, and
    /// a quarter of the bytes: this column is written for every change).
    fileprivate func appendHistoryJSON(content: (String, CharID?, CharRange) throws -> [Unicode.Scalar], to json: inout String) throws {
        func element(_ field: String?, _ operation: String, supersedes: [ChangeHash] = [], value: (inout String) -> Void) {
            json += "["
            if let field { JSON.appendQuoted(field, to: &json) } else { json += "null" }
            json += ","
            JSON.appendQuoted(operation, to: &json)
            json += ","
            value(&json)
            json += ","
            JSON.appendArray(supersedes, to: &json) { JSON.appendQuoted(Hex.encode($0.bytes.prefix(8)), to: &$1) }
            json += "]"
        }
        func object(_ pairs: [(String, String)], _ json: inout String) {
            json += "{"
            for (index, (key, value)) in pairs.enumerated() {
                if index > 0 { json += "," }
                JSON.appendQuoted(key, to: &json)
                json += ":"
                JSON.appendQuoted(value, to: &json)
            }
            json += "}"
        }
        func text(_ scalars: [Unicode.Scalar]) -> String {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars)
            return String(view)
        }
        switch self {
        case .create(let type, let owner):
            element(nil, "create") { object([("type", type), ("owner", owner)], &$0) }
        case .set(let field, let value, let pred):
            element(field, "set", supersedes: pred) { value.appendJSON(to: &$0) }
        case .add(let field, let value):
            element(field, "add") { value.appendJSON(to: &$0) }
        case .remove(let field, let value, let observed):
            element(field, "remove", supersedes: observed) { value.appendJSON(to: &$0) }
        case .setDeleted(let deleted, let pred):
            element(nil, deleted ? "delete" : "restore", supersedes: pred) { $0 += "null" }
        case .text(let field, let item, let edits):
            var inserted: [Unicode.Scalar] = []
            var deleted: [Unicode.Scalar] = []
            for edit in edits {
                switch edit {
                case .insert(_, _, _, let content): inserted += content
                case .delete(let ranges): for range in ranges { deleted += try content(field, item, range) }
                }
            }
            let place = item.map { [("item", "\($0.site.hex):\($0.counter)")] } ?? []
            element(field, "edit_text") { object(place + [("inserted", text(inserted)), ("deleted", text(deleted))], &$0) }
        case .list(let field, let edits):
            var added = 0
            var removed = 0
            for edit in edits {
                switch edit {
                case .insert(_, _, _, let content): added += content.count
                case .delete(let ranges): removed += ranges.reduce(0) { $0 + Int($1.count) }
                }
            }
            element(field, "edit_list") { $0 += "{\"added\":\(added),\"removed\":\(removed)}" }
        case .certify(let certificate):
            element(nil, "certify") {
                object([("site", certificate.site.hex), ("participant", certificate.participant), ("role", "\(certificate.role)"),
                        ("serial", "\(certificate.serial)"), ("not_after", certificate.notAfter.iso8601)], &$0)
            }
        case .revoke(let revocation):
            element(nil, "revoke") {
                object([("site", revocation.site.hex), ("serial", "\(revocation.serial)"), ("reason", revocation.reason)], &$0)
            }
        case .unknown(let kind, _):
            element(nil, "unknown") { $0 += "{\"kind\":\(kind)}" }
        }
    }
}
