import GFMDCore
import Foundation

/// How `gfmd export` writes a compendium: RFC 4180 CSV (one row per record, a
/// column per field), JSON (`gfmd show --json`'s objects), or Markdown
/// grouped by type and participant, with participants' names.
public enum CompendiumFormat: String, CaseIterable, Sendable {
    case csv, json, markdown

    /// The compendium of `records` in this format.
    public func render(_ records: [RecordView]) throws -> [UInt8] {
        switch self {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            return Array(try encoder.encode(records)) + [0x0A]
        case .csv: return Array(Self.csv(records).utf8)
        case .markdown: return Array(Self.markdown(records).utf8)
        }
    }

    /// The fields that records of these types have, in schema order, then
    /// the others present (survey answers) in name order; work-flow fields left out.
    static func columns(_ records: [RecordView]) -> [String] {
        var names: [String] = []
        for type in Set(records.map(\.state.header.type)).sorted() {
            for field in Schema.type(named: type)?.fields ?? [] where !names.contains(field.name) { names.append(field.name) }
        }
        let present = Set(records.flatMap { Array($0.fields.keys) + Array($0.sets.keys) })
        return names + present.subtracting(names).sorted()
    }

    /// A field's value as one cell: a set's elements joined by "; ", a
    /// list's items separated by a line `---` (as in files).
    static func cell(_ record: RecordView, _ field: String) -> String {
        if let elements = record.sets[field] { return elements.map(\.displayText).joined(separator: "; ") }
        switch record.fields[field] {
        case .list(let items)?: return items.joined(separator: "\n---\n")
        case let value?: return value.displayText
        case nil: return ""
        }
    }

    /// `rows` as RFC 4180 CSV: CRLF line ends; a field with a comma, quote
    /// or line break is quoted, its quotes doubled.
    static func csv(rows: [[String]]) -> String {
        func quoted(_ text: String) -> String {
            guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return rows.map { $0.map(quoted).joined(separator: ",") + "\r\n" }.joined()
    }

    /// One row per record, a column per field.
    static func csv(_ records: [RecordView]) -> String {
        let fields = columns(records)
        let header = ["id", "type", "owner", "owner_name", "status", "published", "updated"] + fields
        let rows = records.map { record in
            let owner = ParticipantCode(record.state.header.owner)?.participant.name ?? record.state.header.owner
            return [record.state.id.hex, record.state.header.type, record.state.header.owner, owner, record.state.workflowState,
                    record.published ? "yes" : "no", record.state.header.updated.iso8601] + fields.map { cell(record, $0) }
        }
        return csv(rows: [header] + rows)
    }

    /// Grouped by type (its help as the heading), then by owner (its name), one section per record.
    static func markdown(_ records: [RecordView]) -> String {
        var out = ""
        for (type, ofType) in Dictionary(grouping: records, by: \.state.header.type).sorted(by: { $0.key < $1.key }) {
            let spec = Schema.type(named: type)
            out += "# \(type)\(spec.map { ": \($0.help)" } ?? "")\n\n"
            for (owner, owned) in Dictionary(grouping: ofType, by: \.state.header.owner).sorted(by: { $0.key < $1.key }) {
                let name = ParticipantCode(owner)?.participant.name ?? owner
                out += "## \(name) (\(owner))\n\n"
                for record in owned {
                    out += "### \(record.state.title)\n\n"
                    out += "*\(record.state.workflowState)\(record.published ? ", published version" : ""); updated \(record.state.header.updated.iso8601.prefix(10)); id \(record.state.id.hex)*\n\n"
                    for field in columns([record]) where field != spec?.titleField {
                        let value = cell(record, field)
                        guard !value.isEmpty else { continue }
                        let kind = spec?.field(named: field)?.kind ?? .register
                        out += kind == .register || kind == .set ? "- **\(field)**: \(value)\n" : "\n**\(field)**\n\n\(value)\n\n"
                    }
                    out += "\n"
                }
            }
        }
        return out
    }
}
