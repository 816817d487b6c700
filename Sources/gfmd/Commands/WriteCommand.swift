import ArgumentParser
import Foundation
import GFMDCore
import GFMDReplica

/// `gfmd write`: replaces a text or list from a file or an editor, as the
/// smallest edits, so that a colleague's concurrent edits elsewhere survive.
struct WriteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write",
        abstract: "Write a text (or a list of texts) from a file or your editor.",
        discussion: """
            gfmd records only what differs from the text as merged on this replica, so \
            colleagues editing other paragraphs at the same time keep their work.

            For a list field (sections, guiding_questions), separate the items with a \
            line holding only ---.
            """)

    @OptionGroup var replica: ReplicaOptions
    @Argument(help: ArgumentHelp("The record's id, or its first digits.", valueName: "id")) var id: String
    @Argument(help: ArgumentHelp("The text or list field, e.g. summary or sections.", valueName: "field")) var field: String

    @Option(help: ArgumentHelp("Read the new text from this file (UTF-8), or from standard input with -.", valueName: "path"))
    var file: String?

    @Flag(help: "Open $EDITOR on the current text, then record what you changed.")
    var editor = false

    static let itemSeparator = "---"

    func validate() throws {
        guard (file != nil) != editor else {
            throw ValidationError("give either --file PATH or --editor")
        }
    }

    func run() throws {
        let replica = try replica.open()
        let record = try replica.record(id)
        guard let spec = record.recordType?.field(named: field), spec.kind == .text || spec.kind == .list else {
            throw CommandFailure("\(field) is not a text or list field of a \(record.header.type): use `gfmd set`")
        }
        let current = spec.kind == .text
            ? record.displayedText(field) ?? ""
            : (record.listField(field)?.itemTexts ?? []).joined(separator: "\n\(Self.itemSeparator)\n")
        var written = try file.map(Self.read) ?? Self.edit(current)
        // Files and editors end with a line break the text itself may not have.
        if written.hasSuffix("\n") && !current.hasSuffix("\n") { written.removeLast() }
        guard written != current else {
            Output.line("No changes to record.")
            return
        }
        let edit: Edit = spec.kind == .text
            ? .set(field: field, value: written)
            : .writeItems(field: field, items: Self.items(written))
        let change = try replica.edit(record.id.hex, [edit])
        Output.line("\(try replica.displayID(record.id)): \(field) written (change \(change.short))")
    }

    /// The items of a list as a file spells them.
    static func items(_ text: String) -> [String] {
        var items: [String] = []
        var current: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == itemSeparator {
                items.append(current.joined(separator: "\n"))
                current = []
            } else {
                current.append(line)
            }
        }
        items.append(current.joined(separator: "\n"))
        return items.map { $0.trimmingCharacters(in: .newlines) }.filter { !$0.isEmpty }
    }

    static func read(_ path: String) throws -> String {
        let bytes = try FileArgument.read(path, limit: TextInput.maximumTextBytes, what: "a text")
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CommandFailure("\(path == "-" ? "standard input" : path) is not UTF-8 text")
        }
        return text
    }

    /// Opens the user's editor on `text` and returns what they saved.
    static func edit(_ text: String) throws -> String {
        let environment = ProcessInfo.processInfo.environment
        let editor = environment["VISUAL"].flatMap { $0.isEmpty ? nil : $0 } ?? environment["EDITOR"].flatMap { $0.isEmpty ? nil : $0 } ?? "vi"
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gfmd-\(UUID().uuidString).txt")
        try Data((text.hasSuffix("\n") ? text : text + "\n").utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "\(editor) \"$1\"", "gfmd-editor", url.path]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailure("the editor (\(editor)) exited with status \(process.terminationStatus); nothing recorded")
        }
        return try read(url.path)
    }
}
