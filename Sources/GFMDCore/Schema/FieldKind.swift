/// How a field merges (DESIGN.md §3).
public enum FieldKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// R: a single value; concurrent writes are kept side by side as a conflict.
    case register = "R"
    /// S: a set; concurrent additions and removals merge, additions win.
    case set = "S"
    /// T: a long text, merged character by character.
    case text = "T"
    /// L: an ordered list of texts, merged item by item and character by character.
    case list = "L"

    /// A word for messages ("a single value", "a set", ...).
    public var noun: String {
        switch self {
        case .register: "a single value"
        case .set: "a set"
        case .text: "a text"
        case .list: "a list"
        }
    }
}

/// What a field's values must look like when a user enters them.
public enum ValueType: Hashable, Sendable {
    /// One line of text, not empty.
    case line
    /// Free text over several lines.
    case text
    /// A calendar date, `YYYY-MM-DD`.
    case date
    /// One of a fixed list of words.
    case choice([String])
    /// Any participant code (state, organisation, civil society, secretariat).
    case participant
    /// A state's ISO 3166-1 alpha-3 code.
    case state
    /// The id of another record, optionally of one type.
    case record(type: String?)
    /// A list of texts.
    case textList
}

/// One field of a record type.
public struct FieldSpec: Hashable, Sendable {
    /// The field's name, as typed on the command line.
    public let name: String
    /// How the field merges.
    public let kind: FieldKind
    /// What its values must look like.
    public let valueType: ValueType
    /// One line of help for a delegation officer.
    public let help: String

    /// Describes a field.
    public init(_ name: String, _ kind: FieldKind, _ valueType: ValueType, _ help: String) {
        self.name = name
        self.kind = kind
        self.valueType = valueType
        self.help = help
    }
}
