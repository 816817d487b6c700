/// The secretariat's settlement of a contested record: which of its creates
/// stands (`Protocol/state.md`, "Creates"; `Protocol/changes.md`, rule 6).
///
/// A settlement is a `set` of the reserved register `_settlement` whose value
/// is the list `[type, owner]` of one create of the record, naming the
/// settlements its author saw (`pred`). Changes with a settlement in their
/// causal past take the record's type and owner from it rather than from
/// the creates, so the record is editable again.
public enum Settlement {
    /// The reserved register holding settlements.
    public static let field = "_settlement"

    /// The value a settlement for `identity` writes.
    public static func value(for identity: RecordIdentity) -> Value {
        .list([identity.type, identity.owner])
    }

    /// The type and owner a settlement's value names, or nil when it is not
    /// a list of two non-empty strings.
    public static func identity(of value: Value) -> RecordIdentity? {
        guard case .list(let items) = value, items.count == 2, !items[0].isEmpty, !items[1].isEmpty else { return nil }
        return RecordIdentity(type: items[0], owner: items[1])
    }

    /// The settlement a change writes, if it writes one.
    static func write(in change: Change) -> (value: Value, pred: [ChangeHash])? {
        for case .set(field, let value, let pred) in change.operations { return (value, pred) }
        return nil
    }
}

extension RecordIdentity {
    /// The record's type and owner as `change` sees them, from the changes of
    /// its record in its causal past (`Protocol/changes.md`, rule 6).
    ///
    /// A settlement the change writes stands for it, and must name a create
    /// of its causal past; a change creating its record settles nothing.
    /// Otherwise the settlements of the causal past that no other one there
    /// supersedes decide, when there are any, and must agree; else the
    /// creates must.
    ///
    /// - Parameters:
    ///   - change: the change judged, with its id.
    ///   - past: the changes of its record in its causal past (itself excluded).
    /// - Throws: ``ChangeError`` `conflicting_create` when they disagree.
    public static func seen(by change: EncodedChange, past: some Sequence<EncodedChange>) throws(ChangeError) -> RecordIdentity {
        var creates = Set<RecordIdentity>()
        var settlements: [ChangeHash: Value] = [:]
        var superseded = Set<ChangeHash>()
        for earlier in [change] + Array(past) {
            if let creation = earlier.change.creation { creates.insert(RecordIdentity(type: creation.type, owner: creation.owner)) }
            if earlier.hash != change.hash, let settlement = Settlement.write(in: earlier.change) {
                settlements[earlier.hash] = settlement.value
                superseded.formUnion(settlement.pred)
            }
        }
        let record = change.change.record.short
        if let own = Settlement.write(in: change.change) {
            guard change.change.creation == nil else {
                throw ChangeError(.conflictingCreate, change: change.hash, "a change creating record \(record) cannot settle it: only a later change can")
            }
            guard let identity = Settlement.identity(of: own.value), creates.contains(identity) else {
                throw ChangeError(.conflictingCreate, change: change.hash,
                    "its settlement of record \(record) names \(Settlement.identity(of: own.value).map { "a \($0.type) of \($0.owner)" } ?? "no type and owner"), which no create in its causal past names (\(describe(creates)))")
            }
            return identity
        }
        let standing = Set(settlements.filter { !superseded.contains($0.key) }.values.map { Settlement.identity(of: $0) })
        if !standing.isEmpty {
            guard standing.count == 1, let settled = standing.first, let identity = settled else {
                throw ChangeError(.conflictingCreate, change: change.hash,
                    "its causal past settles record \(record) differently (\(describe(Set(standing.compactMap { $0 })))): a later settlement must name them all")
            }
            return identity
        }
        guard creates.count == 1, let identity = creates.first else {
            throw ChangeError(.conflictingCreate, change: change.hash,
                "its causal past creates record \(record) twice, as \(describe(creates)): the secretariat settles which stands (gfmd settle)")
        }
        return identity
    }

    private static func describe(_ identities: Set<RecordIdentity>) -> String {
        identities.map { "a \($0.type) of \($0.owner)" }.sorted().joined(separator: " and ")
    }
}

extension RecordHeader {
    /// Sets the type and owner from the settlements that survive in
    /// `register`: theirs when they agree, empty where they disagree.
    mutating func settle(by register: MultiValueRegister<Value>) {
        let identities = register.entries.map { Settlement.identity(of: $0.value) ?? RecordIdentity(type: "", owner: "") }
        guard let first = identities.first else { return }
        type = identities.allSatisfy { $0.type == first.type } ? first.type : ""
        owner = identities.allSatisfy { $0.owner == first.owner } ? first.owner : ""
    }
}
