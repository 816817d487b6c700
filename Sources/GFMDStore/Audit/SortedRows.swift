import Foundation
import GRDB

/// Compares the rows one query returns from two databases, side by side.
enum SortedRows {
    /// Runs `sql`, whose first column is a unique blob key and whose rows are
    /// sorted by it, on `left` and `right`, and visits every key with the row
    /// each side holds for it.
    static func walk(_ sql: String, _ left: Database, _ right: Database,
                     _ visit: (_ key: Data, _ left: Row?, _ right: Row?) throws -> Void) throws {
        let leftRows = try Row.fetchCursor(left, sql: sql)
        let rightRows = try Row.fetchCursor(right, sql: sql)
        // Cursors reuse their row: copy the one kept across a step of the other.
        var leftRow = try leftRows.next()?.copy()
        var rightRow = try rightRows.next()?.copy()
        while leftRow != nil || rightRow != nil {
            let leftKey: Data? = leftRow?[0]
            let rightKey: Data? = rightRow?[0]
            if let leftKey, rightKey.map({ leftKey.lexicographicallyPrecedes($0) }) ?? true {
                try visit(leftKey, leftRow, nil)
                leftRow = try leftRows.next()?.copy()
            } else if let rightKey, leftKey.map({ rightKey.lexicographicallyPrecedes($0) }) ?? true {
                try visit(rightKey, nil, rightRow)
                rightRow = try rightRows.next()?.copy()
            } else {
                try visit(leftKey!, leftRow, rightRow)
                leftRow = try leftRows.next()?.copy()
                rightRow = try rightRows.next()?.copy()
            }
        }
    }

    /// The names of the columns whose values differ between two rows of one query.
    static func differingColumns(_ left: Row, _ right: Row) -> [String] {
        left.columnNames.filter { (left[$0] as DatabaseValue) != (right[$0] as DatabaseValue) }
    }
}
