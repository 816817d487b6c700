public import GFMDCore
import Foundation

/// The matrix of knowledge gaps, one of the outcomes the Forum's concept note
/// asks for: themes down, the participants proposing gaps across, each cell
/// the gaps of that theme a participant proposes (`knowledge_gap` records).
///
/// A gap with no proposer is counted under its owner, who then proposes it
/// alone; a gap with no theme is under "(no theme)". A gap proposed by
/// several participants is in each of their cells.
public struct GapMatrix: Sendable {
    /// One gap as a cell lists it.
    public struct Gap: Sendable, Hashable {
        /// The record.
        public let id: RecordID
        /// The first line of what is not known (its `gap` text), at most 120 characters.
        public let summary: String
    }

    /// The row of gaps without a theme.
    public static let noTheme = "(no theme)"

    /// The themes, in order: the rows.
    public let themes: [String]
    /// The proposers' participant codes, in order: the columns.
    public let proposers: [String]
    /// The gaps of each (theme, proposer) cell, by record id.
    public let cells: [String: [String: [Gap]]]

    /// The matrix of the `knowledge_gap` records among `records` (deleted ones are left out by the compendium).
    public init(_ records: [RecordView]) {
        var cells: [String: [String: [Gap]]] = [:]
        for record in records where record.state.header.type == "knowledge_gap" {
            let state = record.state
            let theme = state.registerField("theme")?.winner?.value.displayText.trimmingCharacters(in: .whitespaces)
            let row = theme.flatMap { $0.isEmpty ? nil : $0 } ?? Self.noTheme
            let text = state.textField("gap")?.text ?? ""
            let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            let gap = Gap(id: state.id, summary: line.count > 120 ? String(line.prefix(119)) + "…" : line)
            let proposers = state.setField("proposers")?.elements.map(\.displayText) ?? []
            for proposer in proposers.isEmpty ? [state.header.owner] : proposers {
                cells[row, default: [:]][proposer, default: []].append(gap)
            }
        }
        self.cells = cells.mapValues { $0.mapValues { $0.sorted { $0.id < $1.id } } }
        themes = cells.keys.sorted { ($0 == Self.noTheme ? 1 : 0, $0) < ($1 == Self.noTheme ? 1 : 0, $1) }
        proposers = Set(cells.values.flatMap(\.keys)).sorted()
    }

    /// The gaps of `theme` that `proposer` proposes.
    public func gaps(_ theme: String, _ proposer: String) -> [Gap] {
        cells[theme]?[proposer] ?? []
    }

    /// RFC 4180 CSV: a `theme` column, then one per proposer (its code); a
    /// cell lists its gaps as `id: summary`, one per line.
    public var csv: String {
        let rows = [["theme"] + proposers] + themes.map { theme in
            [theme] + proposers.map { gaps(theme, $0).map { "\($0.id.hex): \($0.summary)" }.joined(separator: "\n") }
        }
        return CompendiumFormat.csv(rows: rows)
    }

    /// A Markdown table: proposers by name and code across, themes down, each
    /// cell its gaps (summary and the record's short id), separated by `<br>`.
    public var markdown: String {
        func escaped(_ text: String) -> String {
            text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "<", with: "&lt;")
        }
        var out = "# Matrix of knowledge gaps\n\n"
        guard !themes.isEmpty else { return out + "No knowledge gap.\n" }
        out += "| theme | " + proposers.map { escaped(ParticipantCode.label($0)) }.joined(separator: " | ") + " |\n"
        out += "|---|" + proposers.map { _ in "---|" }.joined() + "\n"
        for theme in themes {
            let cells = proposers.map { proposer in
                gaps(theme, proposer).map { "\(escaped($0.summary)) (`\($0.id.short)`)" }.joined(separator: "<br>")
            }
            out += "| \(escaped(theme)) | " + cells.joined(separator: " | ") + " |\n"
        }
        return out
    }
}
