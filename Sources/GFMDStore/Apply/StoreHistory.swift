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
        var seen = Set(changes)
        var frontier = changes
        let statement = try db.cachedStatement(sql: "SELECT deps FROM change WHERE hash = ?")
        while let next = frontier.popLast() {
            guard let deps = try Data.fetchOne(statement, arguments: [next.data]) else { continue }
            for dep in try [Hash256](concatenated: deps) where seen.insert(dep).inserted {
                frontier.append(dep)
            }
        }
        return seen
    }
}
