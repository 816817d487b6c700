public import GFMDCore

/// What applying commits did.
public struct ApplyReport: Sendable, Hashable {
    /// Changes applied that this replica did not hold.
    public internal(set) var applied = 0
    /// Changes skipped because this replica already held (or was holding back) them.
    public internal(set) var duplicates = 0
    /// Changes of this apply left pending, waiting for missing dependencies.
    public internal(set) var heldPending = 0
    /// Changes pending from earlier that this apply released.
    public internal(set) var releasedFromPending = 0
    /// Changes rejected by this apply (received, or pending from earlier
    /// and judged once their dependencies arrived), kept in the rejected table.
    public internal(set) var rejected = 0
    /// Records whose state changed, sorted.
    public internal(set) var recordsChanged: [RecordID] = []
    /// Records that now have a conflict to resolve, sorted.
    public internal(set) var recordsConflicted: [RecordID] = []
    /// Missing changes that pending changes wait for, sorted.
    public internal(set) var missingDependencies: [ChangeHash] = []

    /// An empty report.
    public init() {}
}
