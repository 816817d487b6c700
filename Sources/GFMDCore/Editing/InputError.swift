/// A value or request a user typed that gfmd cannot record.
///
/// The message names the field and what was wrong, in words a delegation
/// officer can act on.
public struct InputError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of mistake this is.
    public struct Code: Hashable, Sendable {
        fileprivate enum Base: Hashable, Sendable {
            case unknownField, wrongKind, invalidValue, unknownParticipant, unknownType
            case notPresent, noConflict, deleted, notDeleted, unknownRecord, ambiguousRecord
        }
        fileprivate let base: Base
        /// The record type has no such field.
        public static let unknownField = Code(base: .unknownField)
        /// The command does not fit the field's kind (`set` on a set, `add` on a single value).
        public static let wrongKind = Code(base: .wrongKind)
        /// The value does not have the form the field requires.
        public static let invalidValue = Code(base: .invalidValue)
        /// Not a participant code of the list.
        public static let unknownParticipant = Code(base: .unknownParticipant)
        /// Not a record type of the schema.
        public static let unknownType = Code(base: .unknownType)
        /// Removing an element the set does not hold.
        public static let notPresent = Code(base: .notPresent)
        /// Resolving a field that has no conflict.
        public static let noConflict = Code(base: .noConflict)
        /// Editing a deleted record, or deleting it again.
        public static let deleted = Code(base: .deleted)
        /// Restoring a record that is not deleted.
        public static let notDeleted = Code(base: .notDeleted)
        /// No record has this id or prefix.
        public static let unknownRecord = Code(base: .unknownRecord)
        /// Several records start with this prefix.
        public static let ambiguousRecord = Code(base: .ambiguousRecord)
    }

    /// The kind of mistake.
    public let code: Code
    /// What was wrong, in words.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
