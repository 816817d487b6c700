/// One operation of a change. Every operation of a change concerns the change's record.
public enum ChangeOperation: Hashable, Sendable {
    /// Creates the record with its type and owner. Only the first change of a
    /// record (the one with no dependencies) creates it.
    case create(type: String, owner: String)
    /// Writes a single-valued field, superseding the writes named in `pred`
    /// (the values the author saw). Concurrent writes survive side by side.
    case set(field: String, value: Value, pred: [ChangeHash])
    /// Adds an element to a set field; the change's hash tags this addition.
    case add(field: String, element: Value)
    /// Removes the additions of `element` named in `observed` (those the author
    /// saw); a concurrent addition survives (add wins).
    case remove(field: String, element: Value, observed: [ChangeHash])
    /// Marks the record deleted (`true`) or restores it (`false`), superseding
    /// the deletion writes named in `pred`.
    case setDeleted(Bool, pred: [ChangeHash])
    /// Edits a text (T) field character by character, or the text of item
    /// `item` of a list (L) field. Encoding version 2.
    case text(field: String, item: CharID?, edits: [SequenceEdit])
    /// Inserts or deletes items of a list (L) field. Encoding version 2.
    case list(field: String, edits: [SequenceEdit])
    /// Records a certificate in the trust record. Encoding version 3.
    case certify(Certificate)
    /// Records a revocation in the trust record. Encoding version 3.
    case revoke(Revocation)
    /// An operation of a kind introduced by a newer version, kept byte for byte.
    case unknown(kind: UInt64, payload: [UInt8])

    /// Kind numbers of the encoding (`Protocol/changes.md`, "Operations").
    enum Kind: UInt64 {
        case create = 1, set = 2, add = 3, remove = 4, setDeleted = 5, text = 6, list = 7, certify = 8, revoke = 9
    }

    /// The field this operation touches, if it touches one.
    public var field: String? {
        switch self {
        case .set(let field, _, _), .add(let field, _), .remove(let field, _, _), .text(let field, _, _), .list(let field, _): field
        case .create, .setDeleted, .certify, .revoke, .unknown: nil
        }
    }

    /// The oldest change encoding version that holds this operation.
    var minimumVersion: UInt8 {
        switch self {
        case .text, .list: 2
        case .certify, .revoke: 3
        default: 1
        }
    }

    /// Whether this operation edits the content of a field (as opposed to
    /// creating, deleting or restoring the record).
    public var isEdit: Bool { field != nil }
}
