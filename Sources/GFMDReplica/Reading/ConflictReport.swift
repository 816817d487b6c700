public import GFMDCore
import GFMDStore

/// A value written by one change, with who wrote it and when.
public struct AttributedValue: Sendable, Encodable {
    /// The value.
    public let value: Value
    /// The change that wrote it.
    public let change: ChangeHash
    /// Who wrote it.
    public let author: String
    /// The participant the author acts for.
    public let participant: String
    /// The author's site.
    public let site: SiteID
    /// When it was written.
    public let time: HybridTimestamp
    /// Whether this is the value displayed until the conflict is resolved.
    public let displayed: Bool
}

/// A field whose concurrent writes left different values.
public struct FieldConflict: Sendable, Encodable {
    /// The field's name.
    public let field: String
    /// Each surviving value.
    public let values: [AttributedValue]
}

/// An edit made without seeing a deletion.
public struct UnseenEdit: Sendable, Encodable {
    /// The change.
    public let change: ChangeHash
    /// Who made it.
    public let author: String
    /// The participant the author acts for.
    public let participant: String
    /// When it was made.
    public let time: HybridTimestamp
    /// The fields it edited.
    public let fields: [String]
}

/// A contested deletion: a delete concurrent with a restore or with edits.
public struct DeletionConflict: Sendable, Encodable {
    /// Whether the record is displayed as deleted.
    public let deleted: Bool
    /// The surviving deletion writes (`true` deletes, `false` restores).
    public let writes: [AttributedValue]
    /// Edits no deletion saw.
    public let unseenEdits: [UnseenEdit]
}

/// Everything about one record that needs a person to decide.
public struct ConflictReport: Sendable, Encodable {
    /// The record.
    public let record: RecordID
    /// Its type.
    public let type: String
    /// Its title.
    public let title: String
    /// Fields with concurrent values.
    public let fields: [FieldConflict]
    /// A contested deletion, if any.
    public let deletion: DeletionConflict?
    /// When the record is contested (its creates, or its settlements,
    /// disagree on its type or owner), every create of it: the secretariat
    /// settles which stands. Empty otherwise.
    public let creates: [RecordCreate]
}

extension Replica {
    /// Every conflict on this replica, by record id.
    public func conflicts() throws -> [ConflictReport] {
        try read { reader in try reader.conflictedRecords().map { try Self.conflictReport(for: $0, reader: reader) } }
    }

    /// The conflicts of one record (empty fields and no deletion when it has none).
    public func conflicts(of record: RecordState) throws -> ConflictReport {
        try read { try Self.conflictReport(for: record, reader: $0) }
    }

    static func conflictReport(for state: RecordState, reader: StoreReader) throws -> ConflictReport {
        var needed = state.conflictedFields.flatMap { state.fields[$0]?.register?.currentWrites ?? [] }
        needed += state.header.deletion.currentWrites + state.header.unseenEdits
        let who = try reader.changeSummaries(needed)
        func attributed<V>(_ register: MultiValueRegister<V>, _ wrap: (V) -> Value) -> [AttributedValue] {
            let winner = register.winner?.write
            return register.entries
                .sorted { ($0.timestamp, $0.write) > ($1.timestamp, $1.write) }
                .map { entry in
                    let summary = who[entry.write]
                    return AttributedValue(
                        value: wrap(entry.value), change: entry.write, author: summary?.author ?? "?",
                        participant: summary?.participant ?? "?", site: summary?.site ?? SiteID(words: (0, 0)),
                        time: entry.timestamp, displayed: entry.write == winner)
                }
        }
        let fields = state.conflictedFields.compactMap { key -> FieldConflict? in
            guard key.name != Settlement.field, let register = state.fields[key]?.register else { return nil }
            return FieldConflict(field: key.name, values: attributed(register) { $0 })
        }
        var deletion: DeletionConflict?
        if state.hasDeletionConflict {
            let unseen = Set(state.header.unseenEdits)
            let edits = try reader.changes(of: state.id).filter { unseen.contains($0.hash) }.map { stored in
                UnseenEdit(
                    change: stored.hash, author: stored.change.author, participant: stored.change.participant,
                    time: stored.change.timestamp, fields: stored.change.fieldsTouched)
            }
            deletion = DeletionConflict(
                deleted: state.isDeleted,
                writes: attributed(state.header.deletion) { .string($0 ? "deleted" : "restored") },
                unseenEdits: edits)
        }
        let creates = state.header.isContested
            ? try reader.changes(of: state.id).compactMap { stored in
                stored.change.creation.map { RecordCreate(stored.encoded, type: $0.type, owner: $0.owner) }
            }.sorted { ($0.time, $0.change) < ($1.time, $1.change) }
            : []
        return ConflictReport(record: state.id, type: state.header.type, title: state.title, fields: fields, deletion: deletion, creates: creates)
    }
}
