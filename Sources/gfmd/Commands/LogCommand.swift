import Foundation
import ArgumentParser
import GFMDCore
import GFMDReplica

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
    @Option(help: ArgumentHelp("Only changes made before this date or time (YYYY-MM-DD or YYYY-MM-DDTHH:MM, UTC).", valueName: "time")) var until: String?
    @Option(help: ArgumentHelp("Only changes made for this participant.", valueName: "code")) var participant: String?
    @Option(name: .customShort("n"), help: ArgumentHelp("Only the last N changes that match.", valueName: "N")) var count: Int?

    func validate() throws {
        for (name, value) in [("--since", since), ("--until", until)] {
            if let value, CivilTime.parseMilliseconds(value) == nil {
                throw ValidationError("\(name) takes a date or time such as 2026-11-26 or 2026-11-26T14:30, not \"\(value)\"")
            }
        }
        if let count, count < 1 {
            throw ValidationError("-n takes a number of changes, at least 1, not \(count)")
        }
        if let participant, ParticipantCode(participant) == nil {
            throw ValidationError("\"\(participant)\" is not a participant code")
        }
    }

    func run() throws {
        let replica = try replica.openForReading()
        let entries = try replica.log(LogFilter(
            record: id, field: field, sinceMilliseconds: since.flatMap(CivilTime.parseMilliseconds),
            untilMilliseconds: until.flatMap(CivilTime.parseMilliseconds), participant: participant, limit: count))
        if output.json {
            try Output.json(entries)
            return
        }
        for entry in entries {
            Output.line("change \(entry.change.short)  \(Output.time(entry.time))  \(entry.author) (\(entry.participant), site \(entry.site.short))  record \(try replica.displayID(entry.record))  [\(entry.origin)]")
            for operation in entry.operations { Output.line("    \(operation)") }
        }
    }
}
