public import GFMDCore
import GFMDStore

/// One create of a record, with who made it and when: what the secretariat
/// chooses among when it settles a contested record.
public struct RecordCreate: Sendable, Encodable {
    /// The creating change.
    public let change: ChangeHash
    /// The type it names.
    public let type: String
    /// The owner it names.
    public let owner: String
    /// Who made it.
    public let author: String
    /// The participant the author acts for.
    public let participant: String
    /// When it was made.
    public let time: HybridTimestamp

    init(_ encoded: EncodedChange, type: String, owner: String) {
        change = encoded.hash
        self.type = type
        self.owner = owner
        author = encoded.change.author
        participant = encoded.change.participant
        time = encoded.change.timestamp
    }
}

extension Replica {
    /// Settles a contested record (`Protocol/state.md`, "Creates"): the
    /// create naming `owner` (and `type`, needed only when two creates of
    /// that owner name different types) stands. The change is authorised
    /// like any other: only a secretariat site may make it. Changes made on
    /// it take the record's type and owner from it, so the record is
    /// editable again on every replica, by its owner's delegation only.
    ///
    /// - Returns: the change made.
    /// - Throws: ``InputError`` when the record is not contested or no
    ///   create names `owner` and `type`; ``AuthorizationError`` for a
    ///   delegation's site.
    @discardableResult
    public func settle(_ prefix: String, owner: String, type: String? = nil) throws -> ChangeHash {
        let state = try record(prefix)
        let known = Set(try conflicts(of: state).creates.map { RecordIdentity(type: $0.type, owner: $0.owner) })
        guard state.header.isContested else {
            throw InputError(.noConflict, "record \(state.id.short) is not contested: its creates agree that it is a \(state.header.type) of \(state.header.owner)")
        }
        let matching = known.filter { $0.owner == owner && (type == nil || $0.type == type) }
        let named = type.map { "a \($0) of \(owner)" } ?? "one of \(owner)"
        let choices = known.map { "a \($0.type) of \($0.owner)" }.sorted().joined(separator: ", ")
        guard let identity = matching.first else {
            throw InputError(.notPresent, "no create of record \(state.id.short) makes it \(named); its creates make it \(choices)")
        }
        guard matching.count == 1 else {
            throw InputError(.invalidValue, "record \(state.id.short) was created as several types of \(owner) (\(choices)): name one with --type")
        }
        return try edit(prefix, [.settle(identity)])
    }
}
