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

/// Applies changes to record states in memory, holding back those whose
/// dependencies have not arrived: a miniature replica for core tests.
public struct InMemoryReplica {
    /// Merged records.
    public private(set) var records: [RecordID: RecordState] = [:]
    /// What has been applied.
    public private(set) var history = InMemoryHistory()
    private var waiting: [EncodedChange] = []

    /// An empty replica.
    public init() {}

    /// Receives a change; applies it and anything it releases once dependencies are present.
    public mutating func receive(_ change: EncodedChange) throws {
        guard history.changes[change.hash] == nil, !waiting.contains(change) else { return }
        waiting.append(change)
        var progress = true
        while progress {
            progress = false
            for (index, candidate) in waiting.enumerated()
            where candidate.change.dependencies.allSatisfy({ history.changes[$0] != nil }) {
                waiting.remove(at: index)
                var state = try records[candidate.change.record] ?? RecordState(creatingWith: candidate)
                try state.apply(candidate, history: history)
                records[candidate.change.record] = state
                history.record(candidate)
                progress = true
                break
            }
        }
    }

    /// The digest of every record.
    public var digest: String {
        var digest = StateDigest()
        for id in records.keys.sorted() { digest.add(records[id]!) }
        return digest.finalize()
    }
}
