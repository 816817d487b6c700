import Foundation
import ArgumentParser
import GFMDCore
import GFMDReplica

/// `gfmd conflicts`: lists every field with concurrent values, and contested deletions.
struct ConflictsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts",
        abstract: "List conflicts: fields two people changed at once, contested deletions and contested records.",
        discussion: "Each value is shown with its author, delegation and time; settle a field with `gfmd resolve`.")

    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let replica = try replica.openForReading()
        let reports = try replica.conflicts()
        if output.json {
            try Output.json(reports)
            return
        }
        if reports.isEmpty {
            Output.line("No conflicts.")
            return
        }
        for report in reports {
            let shortID = try replica.displayID(report.record)
            Output.line("\(report.type.isEmpty ? "record" : report.type) \(shortID)  \(report.title)")
            if !report.creates.isEmpty {
                Output.line("  contested: created \(report.creates.count) times, nobody owns it and changes made on both creates are rejected:")
                for create in report.creates {
                    Output.line("    - a \(create.type) of \(create.owner), by \(create.author) (\(create.participant)) at \(Output.time(create.time))")
                }
                Output.line("    the secretariat settles which stands: gfmd settle \(shortID) --owner \(report.creates[0].owner)")
            }
            for field in report.fields {
                let isStatus = field.field == Workflow.field
                Output.line("  \(isStatus ? "status" : field.field): \(field.values.count) concurrent \(isStatus ? "transitions" : "values")")
                for value in field.values {
                    let text = value.value.displayText.replacingOccurrences(of: "\n", with: " ")
                    Output.line("    \(value.displayed ? "*" : "-") \"\(text)\"  by \(value.author) (\(value.participant)) at \(Output.time(value.time))")
                }
                if isStatus {
                    Output.line("    settled by the next transition: gfmd submit, withdraw or review \(shortID)")
                } else {
                    Output.line("    resolve with: gfmd resolve \(shortID) \(field.field) VALUE")
                }
            }
            if let deletion = report.deletion {
                Output.line("  deletion contested (shown as \(deletion.deleted ? "deleted" : "present")):")
                for write in deletion.writes {
                    Output.line("    - \(write.value.displayText) by \(write.author) (\(write.participant)) at \(Output.time(write.time))")
                }
                for edit in deletion.unseenEdits {
                    Output.line("    - edited \(edit.fields.joined(separator: ", ")) by \(edit.author) (\(edit.participant)) at \(Output.time(edit.time)), unseen by the deletion")
                }
                Output.line("    keep the record with `gfmd restore \(shortID)`, or confirm with `gfmd delete \(shortID)`")
            }
        }
    }
}
