/// An atomic group of operations on one record by one site.
///
/// A change names the changes of the same record it was made on top of (its
/// dependencies: the record's heads at the author's replica), so each record's
/// history is a hash DAG. Its id is the SHA-256 of its canonical encoding
/// (``EncodedChange``), which covers the dependencies: altering any past change
/// alters every later id.
public struct Change: Hashable, Sendable {
    /// The record the operations concern.
    public var record: RecordID
    /// The site that made the change.
    public var site: SiteID
    /// The participant the site acts for, as the author's site stated it.
    public var participant: String
    /// The name of the person who made the change.
    public var author: String
    /// When the change was made, on the author's hybrid logical clock.
    public var timestamp: HybridTimestamp
    /// The record's heads the change was made on, sorted and distinct.
    public var dependencies: [ChangeHash]
    /// The operations, applied in order.
    public var operations: [ChangeOperation]

    /// Creates a change; `dependencies` are sorted and deduplicated here.
    public init(
        record: RecordID, site: SiteID, participant: String, author: String,
        timestamp: HybridTimestamp, dependencies: [ChangeHash], operations: [ChangeOperation]
    ) {
        self.record = record
        self.site = site
        self.participant = participant
        self.author = author
        self.timestamp = timestamp
        self.dependencies = Array(Set(dependencies)).sorted()
        self.operations = operations
    }

    /// The fields the change edits, sorted and distinct.
    public var fieldsTouched: [String] {
        Array(Set(operations.compactMap(\.field))).sorted()
    }

    /// Whether any operation edits a field's content.
    public var editsFields: Bool { operations.contains(where: \.isEdit) }

    /// Whether the change moves its record to `accepted`, so that it and its
    /// causal past become the record's published version.
    public var accepts: Bool {
        operations.contains {
            if case .set(Workflow.field, .string(WorkflowState.accepted.rawValue), _) = $0 { true } else { false }
        }
    }

    /// The type and owner, when this change creates its record.
    public var creation: (type: String, owner: String)? {
        guard case .create(let type, let owner) = operations.first else { return nil }
        return (type, owner)
    }
}

/// A change together with its canonical bytes and its id.
///
/// The bytes are what is stored, sent and hashed; the decoded ``Change`` is
/// derived from them, so a change read from a peer is forwarded exactly as its
/// author wrote it, including operations this version does not understand.
public struct EncodedChange: Hashable, Sendable {
    /// The canonical encoding.
    public let bytes: [UInt8]
    /// The change's id: SHA-256 of ``bytes``.
    public let hash: ChangeHash
    /// The decoded change.
    public let change: Change

    /// Encodes `change` canonically and computes its id.
    public init(_ change: Change) {
        self.change = change
        self.bytes = change.canonicalEncoding()
        self.hash = Hash256.of(bytes)
    }

    /// Decodes and checks untrusted bytes; the id is computed from them.
    ///
    /// - Throws: ``FormatError`` when the bytes are not a canonical change, or
    ///   ``ChangeError`` when the change breaks a rule of the format.
    public init(bytes: [UInt8], offsetInInput base: Int = 0) throws {
        let change = try Change(decoding: bytes, base: base)
        try change.checkWellFormed()
        self.change = change
        self.bytes = bytes
        self.hash = Hash256.of(bytes)
    }

    public static func == (lhs: EncodedChange, rhs: EncodedChange) -> Bool { lhs.hash == rhs.hash }
    public func hash(into hasher: inout Hasher) { hasher.combine(hash) }
}
