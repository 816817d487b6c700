import Foundation
import ArgumentParser
import GFMDCore
import GFMDReplica

/// Makes one change of record `id` with `make` and confirms it on one line.
func confirm(_ id: String, with options: ReplicaOptions, saying what: String, _ make: (Replica) throws -> ChangeHash) throws {
    let replica = try options.open()
    let change = try make(replica)
    let record = try replica.record(id)
    Output.line("\(try replica.displayID(record.id)): \(what) (change \(change.short))")
}

/// Records edits on one record and confirms them on one line.
private func record(_ edits: [Edit], on id: String, with options: ReplicaOptions, saying what: String) throws {
    try confirm(id, with: options, saying: what) { try $0.edit(id, edits) }
}

/// `gfmd set`: writes a single-valued field.
struct SetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Set a field of a record.",
        discussion: """
            Single values and dates (YYYY-MM-DD) are set whole. A text is recorded as the \
            smallest edits from the text as merged here (like `gfmd write`), so colleagues' \
            concurrent edits elsewhere in it survive; a list is given as a JSON array of \
            strings. Sets (partners, themes, ...) use `gfmd add` and `gfmd remove`.
            """)

    @OptionGroup var replica: ReplicaOptions
    @Argument(help: ArgumentHelp("The record's id, or its first digits.", valueName: "id")) var id: String
    @Argument(help: ArgumentHelp("The field, e.g. title.", valueName: "field")) var field: String
    @Argument(help: ArgumentHelp("The new value.", valueName: "value")) var value: String

    func run() throws {
        try record([.set(field: field, value: value)], on: id, with: replica, saying: "\(field) set")
    }
}

/// `gfmd add`: adds elements to a set field.
struct AddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add values to a set field (partners, themes, co_authors, ...).")

    @OptionGroup var replica: ReplicaOptions
    @Argument(help: ArgumentHelp("The record's id, or its first digits.", valueName: "id")) var id: String
    @Argument(help: ArgumentHelp("The set field, e.g. partners.", valueName: "field")) var field: String
    @Argument(help: ArgumentHelp("One or more values, e.g. IOM.", valueName: "value")) var values: [String]

    func run() throws {
        try record(values.map { .add(field: field, value: $0) }, on: id, with: replica,
                   saying: "\(values.joined(separator: ", ")) added to \(field)")
    }
}

/// `gfmd remove`: removes elements from a set field.
struct RemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove values from a set field.",
        discussion: "A colleague's concurrent addition of the same value is kept: additions win.")

    @OptionGroup var replica: ReplicaOptions
    @Argument(help: ArgumentHelp("The record's id, or its first digits.", valueName: "id")) var id: String
    @Argument(help: ArgumentHelp("The set field, e.g. partners.", valueName: "field")) var field: String
    @Argument(help: ArgumentHelp("One or more values to remove.", valueName: "value")) var values: [String]

    func run() throws {
        try record(values.map { .remove(field: field, value: $0) }, on: id, with: replica,
                   saying: "\(values.joined(separator: ", ")) removed from \(field)")
    }
}

/// `gfmd resolve`: settles a conflict on a field.
struct ResolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Settle a conflict: write the value that replaces every conflicting one.",
        discussion: "See the conflicting values with `gfmd conflicts`. For a contested deletion, use `gfmd restore` or `gfmd delete`.")

    @OptionGroup var replica: ReplicaOptions
    @Argument(help: ArgumentHelp("The record's id, or its first digits.", valueName: "id")) var id: String
    @Argument(help: ArgumentHelp("The field in conflict.", valueName: "field")) var field: String
    @Argument(help: ArgumentHelp("The value to keep.", valueName: "value")) var value: String

    func run() throws {
        try record([.resolve(field: field, value: value)], on: id, with: replica, saying: "conflict on \(field) resolved")
    }
}

/// `gfmd delete`: deletes a record.
struct DeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a record (it can be restored).",
        discussion: "On a record whose deletion is contested, confirms the deletion.")

    @OptionGroup var replica: ReplicaOptions
    @Argument(help: ArgumentHelp("The record's id, or its first digits.", valueName: "id")) var id: String

    func run() throws {
        try record([.delete], on: id, with: replica, saying: "deleted")
    }
}

/// `gfmd restore`: restores a deleted record.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a deleted record.",
        discussion: "On a record whose deletion is contested, keeps the record.")

    @OptionGroup var replica: ReplicaOptions
    @Argument(help: ArgumentHelp("The record's id, or its first digits.", valueName: "id")) var id: String

    func run() throws {
        try record([.restore], on: id, with: replica, saying: "restored")
    }
}
