public import GFMDCore
import GFMDStore

extension Replica {
    /// Moves a record along its work-flow (DESIGN.md §3): `submit` and
    /// `withdraw` for its owner and co-authors, review, acceptance and return
    /// for the secretariat.
    ///
    /// - Parameters:
    ///   - note: the secretariat's note when it returns a submission.
    ///   - author: who made it, when not this replica's author (the hub
    ///     names the signed-in account of its web pages).
    /// - Returns: the change made.
    /// - Throws: ``AuthorizationError`` naming the rule when this site may not
    ///   make the transition from the record's current state.
    @discardableResult
    public func transition(_ prefix: String, to target: WorkflowState, note: String? = nil, author: String? = nil) throws -> ChangeHash {
        let state = try record(prefix)
        let governance = Governance(state)
        if governance.states == [target] {
            throw AuthorizationError(.illegalTransition, "record \(state.id.short) is already \(target.displayName)")
        }
        return try edit(prefix, [.transition(to: target, note: note)], author: author)
    }

    /// The published version of a record: as the secretariat last accepted it
    /// (with every revision accepted before), or nil when it was never accepted.
    public func publishedRecord(_ prefix: String) throws -> RecordState? {
        let id = try read { try StoreRecordLookup(reader: $0).id(matching: prefix) }
        return try read { reader in
            guard let changes = try reader.publishedChanges(of: id) else { return nil }
            return try reader.state(of: id, within: changes)
        }
    }

    /// Every change received that its author was not allowed to make, in the
    /// order they were rejected, with the reasons.
    public func rejected() throws -> [RejectedChange] {
        try read { try $0.rejectedChanges() }
    }
}
