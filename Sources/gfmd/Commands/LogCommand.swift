import Foundation
import ArgumentParser
import GFMDCore
import GFMDReplica
import GFMDStore

/// `gfmd log`: the history of changes.
struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Show who changed what, when, from which delegation.",
        discussion: "Changes are listed in the order this replica received them, oldest first.")

    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: ArgumentHelp("Only this record (id or first digits).", valueName: "id")) var id: String?
    @Option(help: ArgumentHelp("Only changes touching this field.", valueName: "field")) var field: String?
    @Option(help: ArgumentHelp("Only changes made since this date or time (YYYY-MM-DD or YYYY-MM-DDTHH:MM, UTC).", valueName: "time")) var since: String?
    @Option(help: ArgumentHelp("Only changes made for this participant.", valueName: "code")) var participant: String?

    func validate() throws {
        if let since, CivilTime.parseMilliseconds(since) == nil {
            throw ValidationError("--since takes a date or time such as 2026-11-26 or 2026-11-26T14:30, not \"\(since)\"")
        }
        if let participant, ParticipantCode(participant) == nil {
            throw ValidationError("\"\(participant)\" is not a participant code")
        }
    }

    func run() throws {
        let replica = try replica.openForReading()
        let entries = try replica.log(LogFilter(
            record: id, field: field, sinceMilliseconds: since.flatMap(CivilTime.parseMilliseconds), participant: participant))
        if output.json {
            try Output.json(entries)
            return
        }
        for entry in entries {
            let origin = entry.bundle.map { "bundle #\($0)" } ?? "made here"
            Output.line("change \(entry.change.short)  \(Output.time(entry.time))  \(entry.author) (\(entry.participant), site \(entry.site.short))  record \(try replica.displayID(entry.record))  [\(origin)]")
            for operation in entry.operations { Output.line("    \(operation)") }
        }
    }
}
