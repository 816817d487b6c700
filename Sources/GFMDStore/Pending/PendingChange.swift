import Foundation
public import GFMDCore
import GRDB

extension StoreReader {
    /// Every pending change, in id order, with what it waits for.
    public func pendingChanges() throws -> [PendingChange] {
        let missing = try db.cachedStatement(sql: """
            SELECT dep FROM pending_dep WHERE hash = ? AND dep NOT IN (SELECT hash FROM pending) ORDER BY dep
            """)
        return try Row.fetchAll(db, sql: """
            SELECT p.hash, p.body, p.size, coalesce(b.file_name, lower(hex(b.checksum))) FROM pending p
            LEFT JOIN bundle b ON b.id = p.bundle_id ORDER BY p.hash
            """).map { row in
            PendingChange(encoded: try Self.decodeStored(row[1], size: row[2]), bundle: row[3],
                          missing: try Data.fetchAll(missing, arguments: [row[0] as Data]).map { try Hash256(data: $0) })
        }
    }
}

extension StoreWriter {
    /// Drops pending changes: `hashes` and every pending change that waits
    /// on one of them, directly or not (nil: every pending change). They
    /// are applied after all if a later bundle brings them again.
    ///
    /// - Returns: the changes dropped, sorted.
    public func dropPending(_ hashes: Set<ChangeHash>?) throws -> [ChangeHash] {
        var dropped = Set<ChangeHash>()
        if let hashes {
            var queue = Array(hashes)
            while let next = queue.popLast() {
                guard try Bool.fetchOne(db, sql: "SELECT 1 FROM pending WHERE hash = ?", arguments: [next.data]) == true,
                      dropped.insert(next).inserted else { continue }
                queue += try Data.fetchAll(db, sql: "SELECT hash FROM pending_dep WHERE dep = ?", arguments: [next.data])
                    .map { try Hash256(data: $0) }
            }
        } else {
            dropped = Set(try Data.fetchAll(db, sql: "SELECT hash FROM pending").map { try Hash256(data: $0) })
        }
        for hash in dropped {
            try db.execute(sql: "DELETE FROM pending WHERE hash = ?", arguments: [hash.data])
            try db.execute(sql: "DELETE FROM pending_dep WHERE hash = ?", arguments: [hash.data])
        }
        return dropped.sorted()
    }
}
