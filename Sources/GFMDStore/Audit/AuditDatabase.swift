public import Foundation
import GRDB
public import GFMDCore

extension ReplicaStore {
    /// `gfmd audit-db`: writes, at `destination`, a copy of this replica's
    /// database for auditors, one consistent state of it, with the field
    /// history and the displayed fields the replica itself does not keep:
    /// `change.ops` with the `audit_field_history` view, and `record.fields`
    /// with the `audit_field` view (`Protocol/storage.md`).
    ///
    /// The copy is a single file (not in WAL mode) that the `sqlite3` shell
    /// opens read-only; the replica is only read.
    ///
    /// - Throws: ``StoreError`` when `destination` already exists (it is
    ///   never overwritten) or cannot be written; a half-written copy is removed.
    public func writeAuditDatabase(to destination: URL) throws -> AuditDatabaseReport {
        guard !FileManager.default.fileExists(atPath: destination.path) else {
            throw StoreError(.database, "\(destination.path) already exists: name a new file for the audit database")
        }
        do {
            let copy = try DatabaseQueue(path: destination.path)
            try pool.backup(to: copy)
            try copy.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = DELETE") }
            let counts = try copy.write(FieldHistory.fill)
            _ = try copy.write(AuditFields.fill)
            // Without the free pages the replica's own history left behind.
            try copy.writeWithoutTransaction { try $0.execute(sql: "VACUUM") }
            try copy.close()
            return AuditDatabaseReport(changes: counts.changes, operations: counts.operations)
        } catch {
            try? FileManager.default.removeItem(at: destination)
            if let error = error as? StoreError { throw error }
            throw StoreError(.database, "cannot write the audit database \(destination.path): \(Self.describe(error))")
        }
    }
}
