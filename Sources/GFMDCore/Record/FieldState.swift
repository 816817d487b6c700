/// Where a field's state lives: a field name plus the kind of state it holds.
///
/// A field known to the schema has one kind; a field unknown to this version
/// takes the kind of the operations that write it, and a (malformed) field
/// written both ways keeps both states side by side, so no order of arrival
/// can make one replica keep what another drops.
public struct FieldKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The field's name.
    public let name: String
    /// The kind of state held.
    public let kind: FieldState.Kind

    /// Names a field's state.
    public init(_ name: String, _ kind: FieldState.Kind) {
        self.name = name
        self.kind = kind
    }

    public static func < (lhs: FieldKey, rhs: FieldKey) -> Bool {
        if lhs.name != rhs.name { return lhs.name.utf8.lexicographicallyPrecedes(rhs.name.utf8) }
        return lhs.kind.rawValue < rhs.kind.rawValue
    }

    public var description: String { name }
}

/// The merged state of one field.
public enum FieldState: Hashable, Sendable {
    /// The storage kinds, with the one-letter codes the store and the digest use.
    public enum Kind: String, Hashable, Sendable, Codable {
        /// Written whole with `set`: single values (and texts and lists
        /// written by version 1, before they merged by character).
        case register = "R"
        /// Written with `add` and `remove`.
        case set = "S"
        /// A text merged character by character.
        case text = "T"
        /// A list of texts merged item by item.
        case list = "L"
    }

    /// A field written whole.
    case register(MultiValueRegister<Value>)
    /// A set field.
    case set(ObservedRemoveSet<Value>)
    /// A text field.
    case text(SequenceState)
    /// A list field.
    case list(ListState)

    /// The kind of this state.
    public var kind: Kind {
        switch self {
        case .register: .register
        case .set: .set
        case .text: .text
        case .list: .list
        }
    }

    /// Whether concurrent writes left different values side by side.
    public var isConflicted: Bool {
        if case .register(let register) = self { register.isConflicted } else { false }
    }

    /// The register, when this is one.
    public var register: MultiValueRegister<Value>? {
        if case .register(let register) = self { register } else { nil }
    }

    /// The set, when this is one.
    public var set: ObservedRemoveSet<Value>? {
        if case .set(let set) = self { set } else { nil }
    }

    /// The text, when this is one.
    public var text: SequenceState? {
        if case .text(let text) = self { text } else { nil }
    }

    /// The list, when this is one.
    public var list: ListState? {
        if case .list(let list) = self { list } else { nil }
    }
}
