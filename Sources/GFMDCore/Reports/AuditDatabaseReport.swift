/// What `gfmd audit-db` wrote.
public struct AuditDatabaseReport: Sendable {
    /// Changes of the log whose operations were written out.
    public let changes: Int
    /// Rows of `audit_field_history`: the operations of those changes.
    public let operations: Int

    /// A value with every property given.
    package init(changes: Int, operations: Int) {
        self.changes = changes
        self.operations = operations
    }
}
