/// A participant in the GFMD process: a state, an organisation, civil society
/// or the secretariat, named by its code.
public struct Participant: Hashable, Sendable {
    /// What kind of participant this is.
    public enum Kind: String, Hashable, Sendable, Codable {
        /// A state, named by its ISO 3166-1 alpha-3 code.
        case state
        /// An international organisation or observer.
        case organisation
        /// Civil society (the `CSO` mechanism).
        case civilSociety = "civil_society"
        /// The GFMD secretariat (`SEC`).
        case secretariat
    }

    /// The six official UN languages, in which participant names are given.
    public enum Language: String, CaseIterable, Hashable, Sendable, Codable {
        case en, fr, es, ar, zh, ru
    }

    /// The code: ISO 3166-1 alpha-3 for states, an acronym otherwise.
    public let code: ParticipantCode
    /// The kind of participant.
    public let kind: Kind
    /// The UN M49 numeric code, for states.
    public let m49: String?
    /// Names in the official UN languages (English always present).
    public let names: [Language: String]

    /// The English name.
    public var name: String { names[.en] ?? code.rawValue }
}

/// A validated participant code such as `PHL`, `IOM` or `SEC`.
///
/// Only codes of the participant list are accepted: the ISO 3166-1 alpha-3
/// states (generated from Debian's iso-codes, see `scripts/generate-participants.py`)
/// and the organisations of ``Participants/organisations``.
public struct ParticipantCode: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// The code as written, upper case.
    public let rawValue: String

    /// Accepts `code` (in any case) when it names a known participant.
    public init?(_ code: String) {
        let upper = code.uppercased()
        guard Participants.byCode[upper] != nil else { return nil }
        rawValue = upper
    }

    /// The secretariat.
    public static let secretariat = ParticipantCode(unchecked: "SEC")

    fileprivate init(unchecked: String) { rawValue = unchecked }

    /// The participant this code names.
    public var participant: Participant { Participants.byCode[rawValue]! }

    public var description: String { rawValue }

    /// How pages and exports name a participant: "Philippines (PHL)", or the
    /// code alone when it is its name or no participant has it.
    public static func label(_ code: String) -> String {
        guard let name = ParticipantCode(code)?.participant.name, name != code else { return code }
        return "\(name) (\(code))"
    }

    public static func < (lhs: ParticipantCode, rhs: ParticipantCode) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let code = ParticipantCode(raw) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown participant code \(raw)")
        }
        self = code
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// The participant list: every state of ISO 3166-1 plus the organisations,
/// civil society and the secretariat.
public enum Participants {
    /// Organisations, civil society and the secretariat, by code. This short
    /// list is maintained by the secretariat; states come from ISO 3166-1.
    public static let organisations: [Participant] = [
        org("SEC", .secretariat, "GFMD Secretariat", fr: "Secrétariat du FMMD", es: "Secretaría del FMMD"),
        org("CSO", .civilSociety, "Civil Society Mechanism", fr: "Mécanisme de la société civile", es: "Mecanismo de la Sociedad Civil"),
        org("BM", .organisation, "GFMD Business Mechanism", fr: "Mécanisme des entreprises du FMMD", es: "Mecanismo Empresarial del FMMD"),
        org("MM", .organisation, "Mayors Mechanism", fr: "Mécanisme des maires", es: "Mecanismo de Alcaldes"),
        org("IOM", .organisation, "International Organization for Migration", fr: "Organisation internationale pour les migrations", es: "Organización Internacional para las Migraciones"),
        org("ILO", .organisation, "International Labour Organization", fr: "Organisation internationale du Travail", es: "Organización Internacional del Trabajo"),
        org("UNHCR", .organisation, "UN Refugee Agency", fr: "Haut Commissariat des Nations unies pour les réfugiés", es: "Alto Comisionado de las Naciones Unidas para los Refugiados"),
        org("UNDP", .organisation, "United Nations Development Programme", fr: "Programme des Nations unies pour le développement", es: "Programa de las Naciones Unidas para el Desarrollo"),
        org("UNDESA", .organisation, "UN Department of Economic and Social Affairs", fr: "Département des affaires économiques et sociales", es: "Departamento de Asuntos Económicos y Sociales"),
        org("UNICEF", .organisation, "United Nations Children's Fund", fr: "Fonds des Nations unies pour l'enfance", es: "Fondo de las Naciones Unidas para la Infancia"),
        org("UNFPA", .organisation, "United Nations Population Fund", fr: "Fonds des Nations unies pour la population", es: "Fondo de Población de las Naciones Unidas"),
        org("UNODC", .organisation, "United Nations Office on Drugs and Crime", fr: "Office des Nations unies contre la drogue et le crime", es: "Oficina de las Naciones Unidas contra la Droga y el Delito"),
        org("OHCHR", .organisation, "Office of the UN High Commissioner for Human Rights", fr: "Haut-Commissariat des Nations unies aux droits de l'homme", es: "Oficina del Alto Comisionado de las Naciones Unidas para los Derechos Humanos"),
        org("UNWOMEN", .organisation, "UN Women", fr: "ONU Femmes", es: "ONU Mujeres"),
        org("UNNM", .organisation, "UN Network on Migration", fr: "Réseau des Nations unies sur les migrations", es: "Red de las Naciones Unidas sobre la Migración"),
        org("OECD", .organisation, "Organisation for Economic Co-operation and Development", fr: "Organisation de coopération et de développement économiques", es: "Organización para la Cooperación y el Desarrollo Económicos"),
        org("WB", .organisation, "World Bank", fr: "Banque mondiale", es: "Banco Mundial"),
        org("EU", .organisation, "European Union", fr: "Union européenne", es: "Unión Europea"),
        org("AU", .organisation, "African Union", fr: "Union africaine", es: "Unión Africana"),
        org("ICMPD", .organisation, "International Centre for Migration Policy Development", fr: "Centre international pour le développement des politiques migratoires", es: "Centro Internacional para el Desarrollo de Políticas Migratorias"),
    ]

    private static func org(_ code: String, _ kind: Participant.Kind, _ en: String, fr: String, es: String) -> Participant {
        Participant(code: ParticipantCode(unchecked: code), kind: kind, m49: nil, names: [.en: en, .fr: fr, .es: es])
    }

    /// Every state of ISO 3166-1, from the generated table.
    public static let states: [Participant] = iso3166Source.split(separator: "\n").map { line in
        let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        var names: [Participant.Language: String] = [:]
        for (language, name) in zip(Participant.Language.allCases, columns.dropFirst(2)) { names[language] = name }
        return Participant(code: ParticipantCode(unchecked: columns[0]), kind: .state, m49: columns[1], names: names)
    }

    /// Every participant, by code.
    public static let byCode: [String: Participant] = {
        var table: [String: Participant] = [:]
        for participant in states + organisations {
            precondition(table[participant.code.rawValue] == nil, "duplicate participant code \(participant.code)")
            table[participant.code.rawValue] = participant
        }
        return table
    }()
}
