public import GFMDCore

/// A record history held in memory, for merging records without a database.
public struct InMemoryHistory: CausalHistory {
    /// Applied changes by id.
    public private(set) var changes: [ChangeHash: Change] = [:]

    /// An empty history.
    public init() {}

    /// Adds an applied change.
    public mutating func record(_ change: EncodedChange) {
        changes[change.hash] = change.change
    }

    public func editingChanges(of record: RecordID) throws -> [ChangeHash] {
        changes.filter { $0.value.record == record && $0.value.editsFields }.map(\.key)
    }

    public func ancestry(of roots: [ChangeHash]) throws -> Set<ChangeHash> {
        var seen = Set(roots)
        var frontier = roots
        while let next = frontier.popLast() {
            for dependency in changes[next]?.dependencies ?? [] where seen.insert(dependency).inserted {
                frontier.append(dependency)
            }
        }
        return seen
    }
}

/// A miniature replica for core tests: the admission machine on a ledger
/// in memory, without authorisation (the merge semantics alone). A change
/// that breaks a rule of changes.md is refused (thrown); one whose
/// dependencies have not arrived waits for them.
public struct InMemoryReplica {
    /// Copied when a copy of the replica is about to change, so replicas stay values.
    private var ledger = MemoryLedger(root: SiteSigningKey().publicKey)

    /// An empty replica.
    public init() {}

    /// Merged records.
    public var records: [RecordID: RecordState] { ledger.records.mapValues(\.state) }

    /// What has been applied.
    public var history: InMemoryHistory {
        var history = InMemoryHistory()
        for change in ledger.log { history.record(change) }
        return history
    }

    /// Receives a change; applies it and anything it releases once dependencies are present.
    public mutating func receive(_ change: EncodedChange) throws {
        if !isKnownUniquelyReferenced(&ledger) { ledger = ledger.copy() }
        try ledger.admit([(change, Arrival(commitID: 0, leafIndex: 0, bundleID: nil))], policy: .refuse, authorising: false)
    }

    /// The digest of every record.
    public var digest: String { ledger.digest }
}
