public import GFMDCore
import GFMDStore

/// A record as gfmd presents it (`gfmd show`, its `--json`, and the hub's
/// pages): the merged state, or its published version, with who created and
/// last changed it. Encoded, it is `gfmd show --json`'s object.
public struct RecordView: Sendable, Encodable {
    /// The state shown.
    public let state: RecordState
    /// Whether it is the published version (`--published`).
    public let published: Bool
    /// "Author (participant)" of the record's first change, when held.
    public let createdBy: String?
    /// "Author (participant)" of its latest change, when held.
    public let updatedBy: String?

    private enum CodingKeys: String, CodingKey {
        case id, type, owner, status, reviewNote, published, deleted, created, createdBy, updated, updatedBy, changes
        case fields, sets, conflictedFields, deletionContested
    }

    /// Fields other than the work-flow's, with their displayed values: a
    /// register's displayed winner, a text's text, a list's items.
    public var fields: [String: Value] {
        var fields: [String: Value] = [:]
        for (key, field) in state.fields where !key.name.hasPrefix(Workflow.reservedPrefix) {
            switch field {
            case .register(let register): if let winner = register.winner { fields[key.name] = winner.value }
            case .text(let text): fields[key.name] = .string(text.text)
            case .list(let list): fields[key.name] = .list(list.itemTexts)
            case .set: continue
            }
        }
        return fields
    }

    /// Set fields with their elements.
    public var sets: [String: [Value]] {
        var sets: [String: [Value]] = [:]
        for (key, field) in state.fields where !key.name.hasPrefix(Workflow.reservedPrefix) {
            if case .set(let set) = field { sets[key.name] = set.elements }
        }
        return sets
    }

    /// The review note the record was returned with, if any.
    public var reviewNote: String? { state.registerField(Workflow.noteField)?.winner?.value.displayText }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(state.id, forKey: .id)
        try container.encode(state.header.type, forKey: .type)
        try container.encode(state.header.owner, forKey: .owner)
        try container.encode(state.workflowState, forKey: .status)
        try container.encodeIfPresent(reviewNote, forKey: .reviewNote)
        try container.encode(published, forKey: .published)
        try container.encode(state.isDeleted, forKey: .deleted)
        try container.encode(state.header.created, forKey: .created)
        try container.encodeIfPresent(createdBy, forKey: .createdBy)
        try container.encode(state.header.updated, forKey: .updated)
        try container.encodeIfPresent(updatedBy, forKey: .updatedBy)
        try container.encode(state.header.changeCount, forKey: .changes)
        try container.encode(fields, forKey: .fields)
        try container.encode(sets, forKey: .sets)
        try container.encode(state.conflictedFields.map(\.name), forKey: .conflictedFields)
        try container.encode(state.hasDeletionConflict, forKey: .deletionContested)
    }
}

extension Replica {
    /// The record whose id is, or starts with, `prefix`, as shown: merged, or
    /// with `published` its version as the secretariat last accepted it.
    ///
    /// - Throws: ``InputError`` when no record matches, or, with
    ///   `published`, when it was never accepted.
    public func view(_ prefix: String, published: Bool = false) throws -> RecordView {
        let state: RecordState
        if published {
            guard let version = try publishedRecord(prefix) else {
                throw InputError(.unknownRecord, "record \(prefix) has never been accepted: it has no published version")
            }
            state = version
        } else {
            state = try record(prefix)
        }
        return try view(of: state, published: published)
    }

    /// What the record whose id is, or starts with, `prefix` looked like on
    /// this replica when it held the changes up to `moment`: a time (what it
    /// had made or applied by then) or a change id (the log up to that change).
    ///
    /// - Throws: ``InputError`` when no record matches, or it did not exist then.
    public func view(_ prefix: String, asOf moment: AsOf) throws -> RecordView {
        let state = try read { reader -> RecordState? in
            let id = try StoreRecordLookup(reader: reader).id(matching: prefix)
            let position: Int64? = switch moment {
            case .time(let milliseconds): try reader.logPosition(heldAt: milliseconds)
            case .change(let change): try reader.logPosition(ofChange: change)
            }
            return try position.flatMap { try reader.state(of: id, upTo: $0) }
        }
        guard let state else {
            throw InputError(.unknownRecord, "record \(prefix) did not exist on this replica then")
        }
        return try view(of: state, published: false)
    }

    private func view(of state: RecordState, published: Bool) throws -> RecordView {
        let who = try changeSummaries([state.header.creation, state.header.latestChange])
        func name(_ hash: ChangeHash) -> String? { who[hash].map { "\($0.author) (\($0.participant))" } }
        return RecordView(state: state, published: published, createdBy: name(state.header.creation), updatedBy: name(state.header.latestChange))
    }
}

extension RecordSummary: Encodable {
    private enum CodingKeys: String, CodingKey {
        case id, type, owner, status, title, deleted, conflicted, created, updated
    }

    /// `gfmd list --json`'s object: the work-flow state is named `status`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(type, forKey: .type)
        try container.encode(owner, forKey: .owner)
        try container.encode(workflow, forKey: .status)
        try container.encode(title, forKey: .title)
        try container.encode(deleted, forKey: .deleted)
        try container.encode(conflicted, forKey: .conflicted)
        try container.encode(created, forKey: .created)
        try container.encode(updated, forKey: .updated)
    }
}

/// A moment in a replica's history, for `gfmd show --as-of`.
public enum AsOf: Sendable, Hashable {
    /// What the replica held at this many milliseconds since 1970.
    case time(UInt64)
    /// What it held once it had applied the change whose id starts with these digits.
    case change(String)
}
