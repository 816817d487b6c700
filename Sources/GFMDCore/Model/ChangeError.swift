/// A change that decodes but breaks a rule of the format or of the schema.
public struct ChangeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Which rule was broken.
    public struct Code: Hashable, Sendable {
        fileprivate enum Base: String, Hashable, Sendable {
            case empty = "empty"
            case misplacedCreate = "misplaced_create"
            case missingCreate = "missing_create"
            case repeatedField = "repeated_field"
            case repeatedDeletion = "repeated_deletion"
            case repeatedElement = "repeated_element"
            case emptyName = "empty_name"
            case wrongKind = "wrong_kind"
            case conflictingCreate = "conflicting_create"
            case unknownRecord = "unknown_record"
            case foreignDependency = "foreign_dependency"
            case notAuthorised = "not_authorised"
            case invalidEdit = "invalid_edit"
            case duplicateElement = "duplicate_element"
            case unknownElement = "unknown_element"
        }
        fileprivate let base: Base

        /// A stable snake_case name for the code, as used in `Protocol/vectors`.
        public var name: String { base.rawValue }
        /// The change has no operations.
        public static let empty = Code(base: .empty)
        /// A create operation is not the first operation of its change.
        public static let misplacedCreate = Code(base: .misplacedCreate)
        /// A change without dependencies does not create its record.
        public static let missingCreate = Code(base: .missingCreate)
        /// Two writes of the same field in one change.
        public static let repeatedField = Code(base: .repeatedField)
        /// Two deletion writes in one change.
        public static let repeatedDeletion = Code(base: .repeatedDeletion)
        /// The same element added or removed twice in one change.
        public static let repeatedElement = Code(base: .repeatedElement)
        /// An empty participant, author, type or field name.
        public static let emptyName = Code(base: .emptyName)
        /// An operation of the wrong kind for a known field (a set write on a set field, ...).
        public static let wrongKind = Code(base: .wrongKind)
        /// A change whose causal past holds creates of its record that disagree on its type or owner.
        public static let conflictingCreate = Code(base: .conflictingCreate)
        /// An edit of a record that was never created.
        public static let unknownRecord = Code(base: .unknownRecord)
        /// A dependency that belongs to another record.
        public static let foreignDependency = Code(base: .foreignDependency)
        /// The author's site may not make this change.
        public static let notAuthorised = Code(base: .notAuthorised)
        /// A sequence edit that is empty, overflows, or anchors its right neighbour before its left.
        public static let invalidEdit = Code(base: .invalidEdit)
        /// A sequence insertion reusing element ids its site used before.
        public static let duplicateElement = Code(base: .duplicateElement)
        /// A sequence edit naming elements no change of its causal past inserted.
        public static let unknownElement = Code(base: .unknownElement)
    }

    /// The rule broken.
    public let code: Code
    /// The change, when its id is known.
    public let change: ChangeHash?
    /// What is wrong, in words.
    public let reason: String

    /// Creates an error for `change` breaking rule `code`.
    public init(_ code: Code, change: ChangeHash? = nil, _ reason: String) {
        self.code = code
        self.change = change
        self.reason = reason
    }

    /// The same error, attributed to the change with id `hash`.
    public func attributed(to hash: ChangeHash) -> ChangeError {
        ChangeError(code, change: hash, reason)
    }

    public var description: String {
        if let change { "change \(change.short): \(reason)" } else { reason }
    }
}

extension Change {
    /// Checks the rules every change must follow, whatever the schema.
    ///
    /// - Throws: ``ChangeError`` naming the first rule broken.
    public func checkWellFormed() throws(ChangeError) {
        guard !operations.isEmpty else { throw ChangeError(.empty, "the change has no operations") }
        guard !participant.isEmpty, !author.isEmpty else {
            throw ChangeError(.emptyName, "the change has no participant or author")
        }
        for (index, operation) in operations.enumerated() {
            if case .create(let type, let owner) = operation {
                // Its dependencies, if any, are in the trust record (checked on apply).
                guard index == 0 else {
                    throw ChangeError(.misplacedCreate, "only the first operation of a record's first change may create it")
                }
                guard !type.isEmpty, !owner.isEmpty else {
                    throw ChangeError(.emptyName, "the record is created without a type or owner")
                }
            }
        }
        if dependencies.isEmpty, creation == nil {
            throw ChangeError(.missingCreate, "a change without dependencies must create its record")
        }
        // Changes hold a handful of operations: linear searches beat hashing here.
        var written: [String] = []
        var elements: [[UInt8]] = []
        var deletionWrites = 0
        for operation in operations {
            switch operation {
            case .set(let field, _, _):
                guard !field.isEmpty else { throw ChangeError(.emptyName, "an operation names no field") }
                guard !written.contains(field) else {
                    throw ChangeError(.repeatedField, "field \(field) is written twice in one change")
                }
                written.append(field)
            case .add(let field, let element), .remove(let field, let element, _):
                guard !field.isEmpty else { throw ChangeError(.emptyName, "an operation names no field") }
                let key = Array(field.utf8) + [0] + element.encoded
                guard !elements.contains(key) else {
                    throw ChangeError(.repeatedElement, "an element of \(field) is added or removed twice in one change")
                }
                elements.append(key)
            case .setDeleted:
                deletionWrites += 1
                guard deletionWrites == 1 else {
                    throw ChangeError(.repeatedDeletion, "the record is deleted or restored twice in one change")
                }
            case .text(let field, _, _), .list(let field, _):
                guard !field.isEmpty else { throw ChangeError(.emptyName, "an operation names no field") }
            case .create, .certify, .revoke, .unknown:
                break
            }
        }
    }
}
