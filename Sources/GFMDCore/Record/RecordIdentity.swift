/// What a record's creates say it is: its type and its owner.
///
/// A record is created once by an honest writer, but the format lets a
/// hostile or broken one create it again; `Protocol/state.md` says how
/// creates that agree, and creates that disagree, merge.
public struct RecordIdentity: Hashable, Sendable {
    /// The record type's name.
    public var type: String
    /// The participant that owns the record.
    public var owner: String

    /// An identity of `type` owned by `owner`.
    public init(type: String, owner: String) {
        self.type = type
        self.owner = owner
    }
}
