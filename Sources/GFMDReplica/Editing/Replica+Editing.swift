public import GFMDCore
import GFMDStore

/// A change to make on one record, for ``Replica/commit(_:author:)``.
public struct RecordEdits: Sendable {
    /// What the edits apply to.
    public enum Target: Sendable {
        /// A record to create, with its type and title.
        case new(id: RecordID, type: String, title: String)
        /// An existing record, by id or id prefix.
        case existing(String)
    }

    /// The record concerned.
    public let target: Target
    /// The edits.
    public let edits: [Edit]

    /// Describes edits of one record.
    public init(_ target: Target, _ edits: [Edit]) {
        self.target = target
        self.edits = edits
    }
}

extension Replica {
    /// Creates a record owned by this replica's participant and returns its id.
    ///
    /// - Parameters:
    ///   - type: the record type (`practice`, ...).
    ///   - title: the value of the type's title field.
    ///   - edits: further field values.
    /// - Throws: ``InputError`` when the type, a field or a value is invalid.
    @discardableResult
    public func createRecord(type: String, title: String, edits: [Edit] = [], author: String? = nil) throws -> RecordID {
        var generator = SystemRandomNumberGenerator()
        let id = RecordID.random(using: &generator)
        try commit([RecordEdits(.new(id: id, type: type, title: title), edits)], author: author)
        return id
    }

    /// Makes `edits` on the record whose id starts with `record`, as one change.
    ///
    /// - Returns: the id of the change recorded.
    /// - Throws: ``InputError`` when the record is unknown or an edit does not fit it.
    @discardableResult
    public func edit(_ record: String, _ edits: [Edit], author: String? = nil) throws -> ChangeHash {
        guard let change = try commit([RecordEdits(.existing(record), edits)], author: author).first else {
            throw InputError(.invalidValue, "nothing to record: the record already reads that way")
        }
        return change.hash
    }

    /// Records edits of one or more records as one signed commit.
    ///
    /// Each record's edits become one change made on the record's current
    /// heads. Either every change is recorded or, on any error, none is.
    @discardableResult
    public func commit(_ batch: [RecordEdits], author: String? = nil) throws -> [EncodedChange] {
        precondition(!batch.isEmpty, "a commit edits at least one record")
        // `self.clock` is the wall clock; the hybrid clock is read and saved in the transaction.
        let author = try author.map { try TextInput.normalise($0, field: "the author name", multiline: false) } ?? identity.author
        let participant = try ParticipantCode(identity.participant).orThrow(
            ReplicaError(.invalidRequest, "this replica's participant \(identity.participant) is not a known participant"))
        return try store.write { writer in
            guard try writer.reader.root() != nil else {
                throw ReplicaError(.invalidRequest, "this replica is not enrolled yet: send `gfmd request` to the secretariat, then run `gfmd enroll CERT`")
            }
            // Each change carries this site's certificate (and any revocation of it)
            // in its causal past, so that every replica can judge it.
            let ownTrust = try writer.trustChanges(concerning: siteID)
            let lookup = StoreRecordLookup(reader: writer.reader, load: writer.record)
            let editor = RecordEditor(records: lookup, site: siteID)
            let floor = try writer.reader.counterFloor()
            var clock = try writer.reader.clock()
            let timestamp = clock.tick(wallMilliseconds: self.clock.nowMilliseconds())
            var changes: [EncodedChange] = []
            var seen = Set<RecordID>()
            for item in batch {
                let id: RecordID
                let operations: [ChangeOperation]
                let dependencies: [ChangeHash]
                switch item.target {
                case .new(let newID, let type, let title):
                    id = newID
                    operations = try editor.creation(type: type, owner: participant, title: title, edits: item.edits)
                    dependencies = try writer.reader.trustDependencies(among: ownTrust, besides: [])
                case .existing(let prefix):
                    let state = try lookup.record(matching: prefix)
                    id = state.id
                    operations = state.namingElements(
                        CounterFloor.raise(try editor.operations(for: item.edits, on: state), on: state, by: siteID, to: floor))
                    let heads = try writer.reader.heads(of: id)
                    dependencies = (heads + (try writer.reader.trustDependencies(among: ownTrust, besides: heads))).sorted()
                }
                guard seen.insert(id).inserted else {
                    throw ReplicaError(.invalidRequest, "record \(id.short) is edited twice in one commit")
                }
                // A rewrite identical to the merged text records nothing.
                guard !operations.isEmpty else { continue }
                changes.append(EncodedChange(Change(
                    record: id, site: siteID, participant: participant.rawValue, author: author,
                    timestamp: timestamp, dependencies: dependencies, operations: operations)))
            }
            guard !changes.isEmpty else { return [] }
            let commit = VerifiedCommit.signing(changes, with: try key)
            _ = try writer.apply([commit], refuseUnauthorised: true)
            try writer.save(clock)
            return changes
        }
    }
}

extension Optional {
    /// The wrapped value, or `error` thrown.
    func orThrow(_ error: @autoclosure () -> any Error) throws -> Wrapped {
        guard let value = self else { throw error() }
        return value
    }
}
