/// What an enrolled site may do (DESIGN.md §5, `Protocol/trust.md`).
public enum Role: UInt8, CaseIterable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// Drafts and edits its participant's records.
    case delegate = 1
    /// Reviews, accepts and returns submissions, edits any record, enrols sites.
    case secretariat = 2
    /// Reads what is published.
    case observer = 3
    /// Reads for audits; makes no changes.
    case auditor = 4

    /// The role's name on the command line.
    public var description: String {
        switch self {
        case .delegate: "delegate"
        case .secretariat: "secretariat"
        case .observer: "observer"
        case .auditor: "auditor"
        }
    }

    /// The role named `name`, if any.
    public init?(name: String) {
        guard let role = Role.allCases.first(where: { $0.description == name.lowercased() }) else { return nil }
        self = role
    }
}
