extension RecordState {
    /// The state of a record just created by `change`, before its operations apply.
    ///
    /// - Throws: ``ChangeError`` when `change` does not create a record.
    public init(creatingWith change: EncodedChange) throws(ChangeError) {
        guard let creation = change.change.creation else {
            throw ChangeError(.unknownRecord, change: change.hash, "the change edits record \(change.change.record.short), which does not exist")
        }
        self.init(
            id: change.change.record,
            header: RecordHeader(
                type: creation.type, owner: creation.owner, creation: change.hash,
                created: change.change.timestamp, latestChange: change.hash,
                updated: change.change.timestamp, changeCount: 0,
                deletion: MultiValueRegister(), unseenEdits: []),
            fields: [:])
    }

    /// Applies `change`, whose dependencies have all been applied.
    ///
    /// Fields unknown to this version merge like known ones, by the kind of
    /// operation that writes them. Operations of unknown kinds stay in the
    /// change (and are forwarded with it) but do not affect this version's state.
    ///
    /// A second `create` merges into the header (`Protocol/state.md`): the
    /// record's creation is its create with the least `(timestamp, id)`, and
    /// a type or owner its creates disagree on becomes empty (contested),
    /// until a settlement names them: from then on the settlements decide.
    ///
    /// - Parameters:
    ///   - history: the changes applied before this one.
    ///   - identity: as for ``validate(_:seenAs:)``.
    /// - Throws: ``ChangeError`` when the change breaks a rule of
    ///   ``validate(_:seenAs:)``; the state is then unchanged. Errors of
    ///   `history` are passed on.
    public mutating func apply(_ encoded: EncodedChange, history: some CausalHistory, seenAs identity: RecordIdentity? = nil) throws {
        try validate(encoded, seenAs: identity)
        try apply(validated: encoded, history: history)
    }

    /// Checks that this record can take `change` (`Protocol/changes.md`,
    /// rules 7 to 9), before anything is modified: its operations suit the
    /// schema of the record's type, and its sequence edits name elements
    /// the record holds.
    ///
    /// - Parameter identity: the record's type and owner as the creates in
    ///   the change's causal past give them; nil takes the change's own
    ///   create, else the header's (right whenever the record's creates agree).
    /// - Throws: ``ChangeError`` naming the rule broken.
    public func validate(_ encoded: EncodedChange, seenAs identity: RecordIdentity? = nil) throws(ChangeError) {
        try validate(encoded, seenAs: identity, labelling: nil)
    }

    /// As ``validate(_:seenAs:)``, with the change's elements named as
    /// `labelling` found them held (nil: as written).
    package func validate(_ encoded: EncodedChange, seenAs identity: RecordIdentity?, labelling: ElementLabelling?) throws(ChangeError) {
        let change = encoded.change
        precondition(change.record == id, "a change applies to its own record")
        try check(encoded, as: identity ?? change.creation.map { RecordIdentity(type: $0.type, owner: $0.owner) } ?? header.identity)
        do {
            try validateSequenceEdits(labelling?.operations ?? change.operations, by: labelling?.label ?? change.site)
        } catch {
            throw error.attributed(to: encoded.hash)
        }
    }

    /// Applies a change ``validate(_:seenAs:)`` accepted.
    package mutating func apply(validated encoded: EncodedChange, history: some CausalHistory, labelling: ElementLabelling? = nil) throws {
        let change = encoded.change
        let hash = encoded.hash
        var deletionWritten = false
        if let labelling { applyLabels(of: labelling, author: change.site, hash: hash) }
        for operation in labelling?.operations ?? change.operations {
            switch operation {
            case .create(let type, let owner):
                header.merge(creation: RecordIdentity(type: type, owner: owner), by: hash, at: change.timestamp,
                             settled: registerField(Settlement.field) != nil)
            case .unknown:
                continue
            case .set(let field, let value, let pred):
                // The field is bound, not matched against a pattern: that copied every operation.
                modifyRegister(field) { $0.write(value, by: hash, at: change.timestamp, superseding: pred) }
                if field == Settlement.field { header.settle(by: registerField(Settlement.field)!) }
            case .add(let field, let element):
                modifySet(field) { $0.add(element, tag: hash) }
            case .remove(let field, let element, let observed):
                modifySet(field) { $0.remove(element, observed: observed) }
            case .setDeleted(let deleted, let pred):
                header.deletion.write(deleted, by: hash, at: change.timestamp, superseding: pred)
                deletionWritten = true
            case .text(let field, let item, let edits):
                applyValidated(edits, to: field, item: item, by: change.site, label: labelling?.label)
            case .list(let field, let edits):
                applyValidatedItems(edits, to: field, by: change.site, label: labelling?.label)
            case .certify(let certificate):
                addTrustEntry(certificate.encoded, to: TrustRecord.certificatesField, tag: hash)
            case .revoke(let revocation):
                addTrustEntry(revocation.encoded, to: TrustRecord.revocationsField, tag: hash)
            }
        }
        header.changeCount += 1
        if (change.timestamp, hash) > (header.updated, header.latestChange) {
            header.updated = change.timestamp
            header.latestChange = hash
        }
        if deletionWritten {
            try recomputeUnseenEdits(after: encoded, history: history)
        } else if change.editsFields, header.deletion.entries.contains(where: \.value) {
            // Applied after every current deletion, so none of them saw it.
            header.unseenEdits.sortedInsert(hash)
        }
    }

    /// Refuses a change this record cannot take, before anything is modified:
    /// its operations are checked against the schema of `identity`'s type.
    private func check(_ encoded: EncodedChange, as identity: RecordIdentity) throws(ChangeError) {
        let type = Schema.type(named: identity.type)
        for operation in encoded.change.operations {
            let kind: FieldKind
            switch operation {
            case .set: kind = .register
            case .add, .remove: kind = .set
            case .text(_, let item, _): kind = item == nil ? .text : .list
            case .list: kind = .list
            case .certify, .revoke:
                guard identity.type == TrustRecord.type else {
                    throw ChangeError(.wrongKind, change: encoded.hash, "certificates and revocations belong in the trust record, not in a \(identity.type)")
                }
                continue
            case .create, .setDeleted, .unknown: continue
            }
            guard let type else { continue }
            let field = operation.field!
            guard type.allows(kind, on: field) else {
                let expected = type.field(named: field)?.kind.noun ?? "another kind"
                throw ChangeError(.wrongKind, change: encoded.hash,
                    "field \(field) of a \(type.name) is \(expected), not \(kind.noun)")
            }
        }
    }

    /// Recomputes which edits no current deletion saw, after the deletion
    /// register was written by `encoded`.
    private mutating func recomputeUnseenEdits(after encoded: EncodedChange, history: some CausalHistory) throws {
        let deletions = header.deletion.entries.filter(\.value).map(\.write)
        guard !deletions.isEmpty else {
            header.unseenEdits = []
            return
        }
        var seen = try history.ancestry(of: deletions.filter { $0 != encoded.hash })
        if deletions.contains(encoded.hash) {
            seen.insert(encoded.hash)
            seen.formUnion(try history.ancestry(of: encoded.change.dependencies))
        }
        var edits = try history.editingChanges(of: id)
        if encoded.change.editsFields { edits.append(encoded.hash) }
        header.unseenEdits = Set(edits.filter { !seen.contains($0) }).sorted()
    }
}

extension RecordHeader {
    /// The record's type and owner, as the header holds them.
    public var identity: RecordIdentity { RecordIdentity(type: type, owner: owner) }

    /// Whether the record's creates disagree on its type or owner.
    public var isContested: Bool { type.isEmpty || owner.isEmpty }

    /// Takes in a create of the record: the creation is the create with the
    /// least `(timestamp, id)`, and a type or owner that two creates disagree
    /// on is left empty. The result depends on the set of creates alone,
    /// unless the record is `settled`: then its settlements hold its type
    /// and owner (``settle(by:)``).
    mutating func merge(creation identity: RecordIdentity, by hash: ChangeHash, at timestamp: HybridTimestamp, settled: Bool) {
        if !settled {
            if identity.type != type { type = "" }
            if identity.owner != owner { owner = "" }
        }
        if (timestamp, hash) < (created, creation) {
            created = timestamp
            creation = hash
        }
    }
}

extension RecordState {
    /// Adds a certificate or revocation to the trust record's set `field`.
    mutating func addTrustEntry(_ bytes: [UInt8], to field: String, tag: ChangeHash) {
        modifySet(field) { $0.add(.string(Hex.encode(bytes)), tag: tag) }
    }
}
