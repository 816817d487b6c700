/// A record type of the GFMD schema and its fields.
public struct RecordType: Hashable, Sendable {
    /// The type's name (`practice`, `background_paper`, ...).
    public let name: String
    /// One line describing what such a record is.
    public let help: String
    /// The fields in display order, including those every record has.
    public let fields: [FieldSpec]
    /// The field shown as the record's title in listings.
    public let titleField: String
    /// A family of fields whose names start with this prefix (survey answers,
    /// one per question), each written either as a single value or as a set.
    public let dynamicFieldPrefix: String?
    private let fieldsByName: [String: FieldSpec]

    /// Describes a record type.
    public init(name: String, help: String, fields: [FieldSpec], titleField: String, dynamicFieldPrefix: String?) {
        self.name = name
        self.help = help
        self.fields = fields
        self.titleField = titleField
        self.dynamicFieldPrefix = dynamicFieldPrefix
        self.fieldsByName = Dictionary(uniqueKeysWithValues: fields.map { ($0.name, $0) })
    }

    /// The spec of field `name`, including fields of the dynamic family.
    public func field(named name: String) -> FieldSpec? {
        if let spec = fieldsByName[name] { return spec }
        if let prefix = dynamicFieldPrefix, name.hasPrefix(prefix), Self.isValidQuestionKey(name.dropFirst(prefix.count)) {
            return FieldSpec(name, .register, .line, "answer to question \(name.dropFirst(prefix.count))")
        }
        return nil
    }

    /// Whether an operation writing `kind` is allowed on field `name` of this
    /// type; fields unknown to this version allow any kind (they are forwarded
    /// as they are). Texts and lists also accept whole-value writes, as
    /// version 1 wrote them.
    public func allows(_ kind: FieldKind, on name: String) -> Bool {
        if let prefix = dynamicFieldPrefix, name.hasPrefix(prefix) {
            return kind == .register || kind == .set
        }
        guard let spec = fieldsByName[name] else { return true }
        switch spec.kind {
        case .register, .set: return kind == spec.kind
        case .text, .list: return kind == spec.kind || kind == .register
        }
    }

    private static func isValidQuestionKey(_ key: Substring) -> Bool {
        !key.isEmpty && key.utf8.count <= 64 && key.utf8.allSatisfy { c in
            (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
                || c == UInt8(ascii: "_") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")
        }
    }
}
