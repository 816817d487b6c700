public import GFMDCore
import GFMDStore

/// Edits one text field of one record by position, as an editor does, and
/// records the edits as changes when told to commit.
///
/// Positions count Unicode scalars of the merged text as the session sees it.
/// Inserted text is checked and normalised to NFC; an edit that would split a
/// character (a letter from its accent, an emoji from its skin tone) is
/// refused. Consecutive typing is recorded as one run, so a commit of
/// thousands of keystrokes is a handful of edits.
public final class TextSession {
    /// The record edited.
    public let record: RecordID
    /// The text field edited.
    public let field: String
    private let replica: Replica
    private var sequence: SequenceState
    private var recorder: EditRecorder

    init(replica: Replica, record: RecordState, field: String) throws {
        guard let spec = record.recordType?.field(named: field), spec.kind == .text else {
            throw InputError(.wrongKind, "\(field) is not a text field of a \(record.header.type)")
        }
        guard !record.isDeleted else {
            throw InputError(.deleted, "record \(record.id.short) is deleted: restore it first with `gfmd restore \(record.id.short)`")
        }
        self.replica = replica
        self.record = record.id
        self.field = field
        sequence = record.textField(field) ?? SequenceState()
        recorder = EditRecorder(openFrom: sequence.nextCounter(for: replica.siteID))
    }

    /// The length of the text, in Unicode scalars.
    public var count: Int { sequence.count }

    /// The text as edited so far.
    public var text: String { sequence.text }

    /// Inserts `string` at scalar position `position`.
    ///
    /// - Throws: ``InputError`` for a position outside the text or inside a
    ///   character, or text with forbidden control characters.
    public func insert(_ string: String, at position: Int) throws {
        let content = try TextInput.normalise(string, field: field, multiline: true)
        guard !content.isEmpty else { return }
        try checkBoundary(position)
        recorder.insert(Array(content.unicodeScalars), in: &sequence, at: position, by: replica.siteID)
    }

    /// Deletes `count` scalars from position `position`.
    ///
    /// - Throws: ``InputError`` for a range outside the text or splitting a character.
    public func delete(at position: Int, count length: Int) throws {
        guard length > 0 else { return }
        guard position >= 0, length <= sequence.count - position else {
            throw InputError(.invalidValue, "cannot delete \(length) characters at \(position): the text has \(sequence.count)")
        }
        try checkBoundary(position)
        try checkBoundary(position + length)
        recorder.delete(in: &sequence, at: position, count: length)
    }

    private func checkBoundary(_ position: Int) throws {
        guard position >= 0, position <= sequence.count else {
            throw InputError(.invalidValue, "position \(position) is outside the text, which has \(sequence.count) characters")
        }
        guard sequence.isCharacterBoundary(position) else {
            throw InputError(.invalidValue, "position \(position) would split a character of \(field)")
        }
    }

    /// Records the edits made since the last commit as one signed change.
    ///
    /// - Returns: the change's id, or nil when there was nothing to record.
    @discardableResult
    public func commit() throws -> ChangeHash? {
        guard !recorder.edits.isEmpty else { return nil }
        let change = try replica.edit(record.hex, [.textEdits(field: field, edits: recorder.edits)])
        if try replica.read({ try $0.counterFloor() }) > 0 {
            // The commit numbered the new text apart (a copied folder): continue from what it recorded.
            sequence = try replica.record(record.hex).textField(field) ?? SequenceState()
        }
        recorder = EditRecorder(openFrom: sequence.nextCounter(for: replica.siteID))
        return change
    }
}

extension Replica {
    /// A session editing text field `field` of the record whose id starts with `record`.
    public func textSession(_ record: String, field: String) throws -> TextSession {
        try TextSession(replica: self, record: self.record(record), field: field)
    }
}
