import Foundation
import ArgumentParser
import GFMDCore
import GFMDReplica

/// `gfmd new`: creates a record and prints its id.
struct NewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Create a record owned by your delegation; prints its id.",
        discussion: """
            Types: \(Schema.types.map { "\($0.name) (\($0.help))" }.joined(separator: "; ")).

            --title fills the type's title field (title, or recommendation, theme, \
            text or questionnaire). Example:
              gfmd new practice --title "Diaspora bonds" --set start_date=2025-01-15 --add partners=IOM
            """)

    @OptionGroup var replica: ReplicaOptions

    @Argument(help: ArgumentHelp("The record type, e.g. practice.", valueName: "type"))
    var type: String

    @Option(help: "The record's title.")
    var title: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Set a field, FIELD=VALUE (repeatable).", valueName: "field=value"))
    var sets: [FieldAssignment] = []

    @Option(name: .customLong("add"), help: ArgumentHelp("Add an element to a set field, FIELD=VALUE (repeatable).", valueName: "field=value"))
    var adds: [FieldAssignment] = []

    func run() throws {
        let replica = try replica.open()
        let edits = sets.map { Edit.set(field: $0.field, value: $0.value) } + adds.map { Edit.add(field: $0.field, value: $0.value) }
        let id = try replica.createRecord(type: type, title: title, edits: edits)
        Output.line(try replica.displayID(id))
    }
}
