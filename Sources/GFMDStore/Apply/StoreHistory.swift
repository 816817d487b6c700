import Foundation
import GFMDCore
import GRDB

/// Answers the merge's questions about causality from the change log.
struct StoreHistory: CausalHistory {
    let db: Database
    /// Only changes stored before this sequence number count (for replaying a
    /// record's tail); nil: every stored change.
    var before: Int64? = nil

    func editingChanges(of record: RecordID) throws -> [ChangeHash] {
        try Data.fetchAll(db, sql: "SELECT hash FROM change WHERE record = ? AND edits = 1 AND seq < ?",
                          arguments: [record.data, before ?? Int64.max])
            .map { try Hash256(data: $0) }
    }

    func ancestry(of changes: [ChangeHash]) throws -> Set<ChangeHash> {
        let statement = try db.cachedStatement(sql: "SELECT deps FROM change WHERE hash = ?")
        return try Self.ancestry(of: changes) { next in
            try Data.fetchOne(statement, arguments: [next.data]).map { try [Hash256](concatenated: $0) }
        }
    }
}
