/// The part of a record's history the merge needs besides its state: which
/// changes came before which.
///
/// The store answers from its change log; tests answer from memory. Only
/// deletion and restoration consult it, so its cost stays off the common path.
public protocol CausalHistory {
    /// The applied changes of `record` whose operations edit fields.
    func editingChanges(of record: RecordID) throws -> [ChangeHash]
    /// `changes` and every applied change they depend on, directly or not.
    func ancestry(of changes: [ChangeHash]) throws -> Set<ChangeHash>
}

extension CausalHistory {
    /// `changes` and every change reached from them through `dependencies`,
    /// which is nil for a change not applied (not walked further): the walk
    /// behind every ``ancestry(of:)``, whatever holds the dependencies.
    package static func ancestry(
        of changes: [ChangeHash], dependencies: (ChangeHash) throws -> [ChangeHash]?
    ) rethrows -> Set<ChangeHash> {
        var seen = Set(changes)
        var frontier = changes
        while let next = frontier.popLast() {
            for dependency in try dependencies(next) ?? [] where seen.insert(dependency).inserted {
                frontier.append(dependency)
            }
        }
        return seen
    }
}
