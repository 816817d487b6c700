/// What applying commits did.
public struct ApplyReport: Sendable, Hashable {
    /// Changes applied that this replica did not hold.
    public package(set) var applied = 0
    /// Changes skipped because this replica already held (or was holding back) them.
    public package(set) var duplicates = 0
    /// Changes of this apply left pending, waiting for missing dependencies.
    public package(set) var heldPending = 0
    /// Changes pending from earlier that this apply released.
    public package(set) var releasedFromPending = 0
    /// Changes rejected by this apply (received, or pending from earlier
    /// and judged once their dependencies arrived), kept in the rejected table.
    public package(set) var rejected = 0
    /// Records whose state changed, sorted.
    public package(set) var recordsChanged: [RecordID] = []
    /// Records that now have a conflict to resolve, sorted.
    public package(set) var recordsConflicted: [RecordID] = []
    /// Missing changes that pending changes wait for, sorted.
    public package(set) var missingDependencies: [ChangeHash] = []

    /// An empty report.
    public init() {}
}
