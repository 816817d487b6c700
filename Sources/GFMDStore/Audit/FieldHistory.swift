import Foundation
import GFMDCore
import GRDB

// What each change did to each field, in words an `sqlite3` user can query:
// the `change.ops` column, expanded by the `audit_field_history` view
// (`Protocol/storage.md`, "Field history").

/// The `change.ops` column: one JSON array per change, one element per
/// operation, `[field, operation, value, supersedes]`.
enum FieldHistory {
    /// A change's `operations` as the `change.ops` JSON; `state` is its
    /// record's state once the change is applied (deleted text is read from
    /// its tombstones), and the operations name elements as it holds them.
    static func json(of operations: [ChangeOperation], in state: RecordState) -> String {
        var json = ""
        JSON.appendArray(operations, to: &json) { operation, json in
            operation.appendHistoryJSON(in: state, to: &json)
        }
        return json
    }

    /// Fills `change.ops` for the changes a replica held before the column existed.
    static func backfill(_ db: Database) throws {
        let update = try db.makeStatement(sql: "UPDATE change SET ops = ? WHERE seq = ?")
        var states: [RecordID: RecordState] = [:]
        let reader = StoreReader(db: db)
        let rows = try Row.fetchCursor(db, sql: "SELECT seq, body FROM change")
        while let row = try rows.next() {
            let change = try StoreReader.decodeStored(row[1]).change
            if states[change.record] == nil { states[change.record] = try reader.record(change.record) }
            guard let state = states[change.record] else { continue }
            try update.execute(arguments: [json(of: change.operations, in: state), row[0] as Int64])
        }
    }
}

extension ChangeOperation {
    /// Appends `[field, operation, value, supersedes]`: the field (null for a
    /// record-wide or trust operation), the operation's name, its value as
    /// JSON, and the writes or additions it supersedes, each by the first 16
    /// hexadecimal digits of its id (enough within one record's history, and
    /// a quarter of the bytes: this column is written for every change).
    fileprivate func appendHistoryJSON(in state: RecordState, to json: inout String) {
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
            let sequence = item.map { state.listField(field)?.texts[$0] } ?? state.textField(field)
            var inserted: [Unicode.Scalar] = []
            var deleted: [Unicode.Scalar] = []
            for edit in edits {
                switch edit {
                case .insert(_, _, _, let content): inserted += content
                case .delete(let ranges): for range in ranges { deleted += sequence?.content(of: range) ?? [] }
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
