import Foundation
public import GFMDCore
import GRDB

extension StoreReader {
    /// The last position in the log of a change this replica held at
    /// `milliseconds` since 1970: made here by then, or applied from a bundle
    /// by then (the ledger's time); nil when it held none.
    public func logPosition(heldAt milliseconds: UInt64) throws -> Int64? {
        let applied = HybridTimestamp(milliseconds: milliseconds, counter: 0).iso8601
        let latestLocal = Int64(bitPattern: HybridTimestamp(milliseconds: milliseconds, counter: .max).rawValue)
        return try Int64.fetchOne(try db.cachedStatement(sql: """
            SELECT max(c.seq) FROM change c LEFT JOIN bundle b ON b.id = c.bundle_id
            WHERE (c.bundle_id IS NULL AND c.hlc <= ?1) OR b.applied_at <= ?2
            """), arguments: [latestLocal, applied])
    }

    /// The position in the log of the change whose id is, or starts with,
    /// `prefix` (at least 4 hexadecimal digits).
    ///
    /// - Throws: ``InputError`` when no change, or several, match.
    public func logPosition(ofChange prefix: String) throws -> Int64 {
        let digits = prefix.lowercased()
        guard digits.count >= 4, digits.count <= 64, digits.allSatisfy(\.isHexDigit) else {
            throw InputError(.invalidValue, "\"\(prefix)\" is neither a date, a time nor a change id (at least 4 hexadecimal digits)")
        }
        let rows = try Int64.fetchAll(try db.cachedStatement(sql: "SELECT seq FROM change WHERE lower(hex(hash)) LIKE ?1 || '%' LIMIT 2"),
                                      arguments: [digits])
        guard rows.count == 1 else {
            throw InputError(.invalidValue, rows.isEmpty
                ? "no change this replica holds has an id starting with \(digits)"
                : "several changes have an id starting with \(digits): give more digits")
        }
        return rows[0]
    }

    /// The state of `record` made of its changes at or before `position` in
    /// the log (a prefix of the log is causally closed); nil when it had none.
    public func state(of record: RecordID, upTo position: Int64) throws -> RecordState? {
        let changes = try Data.fetchAll(try db.cachedStatement(sql: "SELECT hash FROM change WHERE record = ? AND seq <= ?"),
                                        arguments: [record.data, position])
        guard !changes.isEmpty else { return nil }
        return try state(of: record, within: Set(changes.map { try Hash256(data: $0) }))
    }
}
