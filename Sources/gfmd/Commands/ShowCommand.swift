import Foundation
import ArgumentParser
import GFMDCore
import GFMDReplica

/// `gfmd show`: prints one record.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a record: its fields as merged, and any conflict.")

    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: ArgumentHelp("The record's id, or its first digits.", valueName: "id")) var id: String

    @Flag(help: "Show the published version: the record as the secretariat last accepted it.")
    var published = false

    @Option(name: .customLong("as-of"), help: ArgumentHelp(
        "Show the record as this replica showed it then: a date (its end, UTC), a date-time (YYYY-MM-DDTHH:MM, UTC), or a change id (the log up to that change).",
        valueName: "time"))
    var asOf: String?

    func validate() throws {
        if published && asOf != nil { throw ValidationError("--published and --as-of go one at a time") }
    }

    /// The moment `--as-of` names: a date means the end of that day.
    var moment: AsOf? {
        guard let asOf else { return nil }
        guard let milliseconds = CivilTime.parseMilliseconds(asOf) else { return .change(asOf) }
        return .time(asOf.contains("T") ? milliseconds : milliseconds + 86_400_000 - 1)
    }

    func run() throws {
        let replica = try replica.openForReading()
        let view = try moment.map { try replica.view(id, asOf: $0) } ?? replica.view(id, published: published)
        if output.json {
            try Output.json(view)
            return
        }
        let state = view.state
        let creator = view.createdBy, updater = view.updatedBy
        let shortID = try replica.displayID(state.id)
        let version = published ? "  [PUBLISHED VERSION]" : asOf.map { "  [AS OF \($0)]" } ?? ""
        Output.line("\(state.header.type) \(shortID)  \(state.title)\(state.isDeleted ? "  [DELETED]" : "")\(version)")
        Output.line("  id       \(state.id.hex)")
        Output.line("  owner    \(state.header.owner)    status \(state.workflowState)")
        if let note = view.reviewNote, state.workflowState == WorkflowState.returned.rawValue {
            Output.line("  returned with the note: \(note)")
        }
        Output.line("  created  \(Output.time(state.header.created))\(creator.map { " by \($0)" } ?? "")")
        Output.line("  updated  \(Output.time(state.header.updated))\(updater.map { " by \($0)" } ?? "")  (\(state.header.changeCount) changes)")
        let conflicted = state.conflictedFields.map(\.name)
        if !conflicted.isEmpty || state.hasDeletionConflict {
            let what = (conflicted + (state.hasDeletionConflict ? ["deletion"] : [])).joined(separator: ", ")
            Output.line("  CONFLICT on \(what): see `gfmd conflicts`")
        }
        Output.line()
        let known = state.recordType?.fields.map(\.name) ?? []
        // Work-flow fields (`_workflow`, `_review_note`) are shown above, not as fields.
        let present = Set(state.fields.keys.map(\.name).filter { !$0.hasPrefix(Workflow.reservedPrefix) })
        let order = known.filter(present.contains) + present.subtracting(known).sorted()
        for name in order {
            if let list = state.listField(name) {
                Output.line("\(name):")
                for (number, item) in list.itemTexts.enumerated() {
                    Output.line("  [\(number + 1)]")
                    Output.line(Output.indent(item, by: 4))
                }
                continue
            }
            if let text = state.textField(name) {
                Output.line("\(name):")
                Output.line(Output.indent(text.text, by: 4))
                continue
            }
            if let register = state.registerField(name), let winner = register.winner {
                let mark = register.isConflicted ? "  [conflict: \(Set(register.entries.map(\.value)).count) values]" : ""
                let text = winner.value.displayText
                if text.contains("\n") || (state.recordType?.field(named: name)?.kind ?? .register) != .register {
                    Output.line("\(name):\(mark)")
                    Output.line(Output.indent(text, by: 4))
                } else {
                    Output.line("\(name): \(text)\(mark)")
                }
            }
            if let set = state.setField(name), !set.elements.isEmpty {
                Output.line("\(name): \(set.elements.map(\.displayText).joined(separator: ", "))")
            }
        }
        let empty = known.filter { name in
            state.registerField(name)?.winner == nil && (state.setField(name)?.elements.isEmpty ?? true)
                && state.textField(name) == nil && state.listField(name) == nil
        }
        if !empty.isEmpty {
            Output.line()
            Output.line("(empty: \(empty.joined(separator: ", ")))")
        }
    }
}
