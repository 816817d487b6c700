import Foundation
import ArgumentParser
import GFMDCore
import GFMDReplica

/// `gfmd list`: one line per record.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List records, most recently changed first.",
        discussion: """
            A ! marks a record with a conflict to resolve, a D a deleted one. Deleted records are \
            left out unless --deleted, but a contested deletion (an edit crossed it) is always \
            listed. On a terminal, titles are cut to its width ($COLUMNS when set); piped or \
            redirected, lines are not cut, so grep finds a title. --json gives every field.
            """)

    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("Only records of this type.", valueName: "type")) var type: String?
    @Option(help: ArgumentHelp("Only records in this work-flow state (\(WorkflowState.allCases.map(\.rawValue).joined(separator: ", "))).", valueName: "state")) var status: String?
    @Option(help: ArgumentHelp("Only records owned by this participant.", valueName: "code")) var owner: String?
    @Flag(help: "Include every deleted record.") var deleted = false
    @Flag(help: "Only records with a published version: accepted once, even if reopened as a draft since.") var published = false

    func validate() throws {
        if let type, Schema.type(named: type) == nil {
            throw ValidationError("\"\(type)\" is not a record type; the types are \(Schema.types.map(\.name).joined(separator: ", "))")
        }
        if let status, WorkflowState(rawValue: status) == nil {
            throw ValidationError("\"\(status)\" is not a work-flow state; the states are \(WorkflowState.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let owner, ParticipantCode(owner) == nil {
            throw ValidationError("\"\(owner)\" is not a participant code")
        }
    }

    func run() throws {
        let replica = try replica.openForReading()
        let filter = RecordFilter(type: type, workflow: status, owner: owner.flatMap(ParticipantCode.init)?.rawValue, includeDeleted: deleted, published: published)
        let records = try replica.list(filter)
        if output.json {
            try Output.json(records)
            return
        }
        if records.isEmpty {
            Output.line("No records.")
            return
        }
        // Flags, id, type, owner, status and date take 60 columns; the title gets the rest.
        let titleWidth = Output.width.map { max(12, $0 - 61) }
        let shown = try replica.displayIDs(records.map(\.id))
        // One buffer written once: 10,000 lines cost a single write.
        var text = ""
        text.reserveCapacity(records.count * (62 + (titleWidth ?? 40)))
        func column(_ value: String, _ width: Int) {
            text += value
            let count = value.count
            if count < width { text += String(repeating: " ", count: width - count) }
            text += " "
        }
        column("  ", 2); column("ID", 8); column("TYPE", 16); column("OWNER", 6); column("STATUS", 12); column("UPDATED", 10)
        text += "TITLE\n"
        var days: [Int64: String] = [:]
        for record in records {
            column((record.conflicted ? "!" : " ") + (record.deleted ? "D" : " "), 2)
            column(shown[record.id] ?? record.id.hex, 8)
            column(record.type, 16)
            column(record.owner, 6)
            column(record.workflow, 12)
            // Dates repeat across a listing: each day is spelled once.
            let day = Int64(record.updated.milliseconds / 86_400_000)
            if days[day] == nil { days[day] = String(record.updated.iso8601.prefix(10)) }
            column(days[day]!, 10)
            text += titleWidth.map { Output.fit(record.title, $0) } ?? record.title
            text += "\n"
        }
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
