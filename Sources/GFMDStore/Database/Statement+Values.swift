import Foundation
import GRDB
import GRDBSQLite

/// The apply's hot statements bind their values straight to SQLite.
///
/// GRDB's `execute(arguments:)` builds `StatementArguments` through a generic
/// map that is not specialised outside GRDB (a key path and a boxed value per
/// argument), validates them, and binds each in a nested closure: with a
/// dozen arguments per row that was an eighth of W2's merge. These two
/// methods bind `DatabaseValue`s in order and step the statement. They skip
/// GRDB's transaction observation, which the store does not use, and are
/// only called inside the store's own write transactions.
extension Statement {
    /// Runs this statement (an insert, update or delete) with `values` bound in order.
    func run(_ values: [DatabaseValue]) throws {
        try bindForStep(values)
        let code = sqlite3_step(sqliteStatement)
        guard code == SQLITE_DONE else { throw failure(code) }
        sqlite3_reset(sqliteStatement)
    }

    /// Whether this query, with `values` bound in order, answers a row.
    func hasRow(_ values: [DatabaseValue]) throws -> Bool {
        try bindForStep(values)
        let code = sqlite3_step(sqliteStatement)
        guard code == SQLITE_ROW || code == SQLITE_DONE else { throw failure(code) }
        sqlite3_reset(sqliteStatement)
        return code == SQLITE_ROW
    }

    private func bindForStep(_ values: [DatabaseValue]) throws {
        guard values.count == Int(sqlite3_bind_parameter_count(sqliteStatement)) else {
            throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "\(values.count) values for \(sqlite3_bind_parameter_count(sqliteStatement)) arguments", sql: sql)
        }
        let statement = sqliteStatement
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
        for (offset, value) in values.enumerated() {
            let index = CInt(offset + 1)
            let code: CInt
            switch value.storage {
            case .null:
                code = sqlite3_bind_null(statement, index)
            case .int64(let integer):
                code = sqlite3_bind_int64(statement, index, integer)
            case .double(let double):
                code = sqlite3_bind_double(statement, index, double)
            case .string(let string):
                code = sqlite3_bind_text(statement, index, string, -1, Self.transient)
            case .blob(let data):
                code = data.withUnsafeBytes { sqlite3_bind_blob(statement, index, $0.baseAddress, CInt($0.count), Self.transient) }
            }
            guard code == SQLITE_OK else { throw failure(code) }
        }
    }

    /// SQLite copies what it is given to bind.
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    /// The error SQLite reports for this statement, the statement reset so that it can run again.
    private func failure(_ code: CInt) -> DatabaseError {
        let message = String(cString: sqlite3_errmsg(sqlite3_db_handle(sqliteStatement)))
        sqlite3_reset(sqliteStatement)
        return DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: sql)
    }
}
