/// The merged state of one record: what its changes, applied in causal order,
/// amount to.
///
/// The state is a function of the set of changes applied (DESIGN.md §4.1):
/// any causal order of arrival, with or without duplicates, gives the same
/// value, so replicas holding the same changes print the same digest.
public struct RecordState: Hashable, Sendable {
    /// The record's id.
    public let id: RecordID
    /// Metadata: type, owner, creation, latest change, deletion.
    public internal(set) var header: RecordHeader
    /// Field states by field.
    public internal(set) var fields: [FieldKey: FieldState]

    /// Assembles a state from stored parts.
    public init(id: RecordID, header: RecordHeader, fields: [FieldKey: FieldState]) {
        self.id = id
        self.header = header
        self.fields = fields
    }

    /// The schema's description of the record's type, if this version knows it.
    public var recordType: RecordType? { Schema.type(named: header.type) }

    /// Whether the record is deleted (the deletion register's displayed value).
    public var isDeleted: Bool { header.deletion.winner?.value ?? false }

    /// Whether deletion is contested: a delete and a restore were concurrent, or
    /// the record is deleted while edits the deletion did not see exist.
    public var hasDeletionConflict: Bool {
        header.deletion.isConflicted || (isDeleted && !header.unseenEdits.isEmpty)
    }

    /// Fields whose concurrent writes hold different values, sorted.
    public var conflictedFields: [FieldKey] {
        fields.filter { $0.value.isConflicted }.keys.sorted()
    }

    /// Whether anything about the record needs a person to decide: a
    /// contested record (its creates, or its settlements, disagree) included.
    public var isConflicted: Bool { header.isContested || hasDeletionConflict || fields.values.contains { $0.isConflicted } }

    /// The register of field `name`, if it has been written whole.
    public func registerField(_ name: String) -> MultiValueRegister<Value>? {
        fields[FieldKey(name, .register)]?.register
    }

    /// The set of field `name`, if it has been added to or removed from.
    public func setField(_ name: String) -> ObservedRemoveSet<Value>? {
        fields[FieldKey(name, .set)]?.set
    }

    /// The record's title as listings show it (the winning value of the type's title field).
    public var title: String {
        let field = recordType?.titleField ?? "title"
        let text = displayedText(field) ?? ""
        let firstLine = text.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
        return firstLine.count > 80 ? String(firstLine.prefix(79)) + "…" : firstLine
    }

    /// The text of a text field as displayed: its merged text, or the value
    /// written whole by version 1 when it was never edited by character.
    public func displayedText(_ field: String) -> String? {
        textField(field)?.text ?? registerField(field)?.winner?.value.stringValue
    }

    /// Participants who co-author the record.
    public var coAuthors: [String] {
        setField("co_authors")?.elements.compactMap(\.stringValue) ?? []
    }

    /// The displayed work-flow state (a draft until one is written).
    public var workflowState: String {
        Governance(self).state.rawValue
    }
}

/// A record's metadata.
public struct RecordHeader: Hashable, Sendable {
    /// The record type's name (possibly one this version does not know).
    public var type: String
    /// The participant that owns the record.
    public var owner: String
    /// The change that created the record.
    public var creation: ChangeHash
    /// When the record was created.
    public var created: HybridTimestamp
    /// The latest change by timestamp (ties: greatest id), and its timestamp.
    public var latestChange: ChangeHash
    /// When the latest change was made.
    public var updated: HybridTimestamp
    /// How many changes of the record have been applied.
    public var changeCount: Int
    /// Whether the record is deleted: a register of booleans.
    public var deletion: MultiValueRegister<Bool>
    /// Edits no current deletion saw (concurrent with it), sorted.
    public var unseenEdits: [ChangeHash]
    /// The changes whose insertions go by their element labels, each with
    /// the site that made it (`Protocol/state.md`, "Element labels").
    public var labels: [ChangeHash: SiteID] = [:]

    /// Creates a header.
    public init(
        type: String, owner: String, creation: ChangeHash, created: HybridTimestamp,
        latestChange: ChangeHash, updated: HybridTimestamp, changeCount: Int,
        deletion: MultiValueRegister<Bool>, unseenEdits: [ChangeHash]
    ) {
        self.type = type
        self.owner = owner
        self.creation = creation
        self.created = created
        self.latestChange = latestChange
        self.updated = updated
        self.changeCount = changeCount
        self.deletion = deletion
        self.unseenEdits = unseenEdits
    }
}
