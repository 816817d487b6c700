import ArgumentParser
import Foundation
import GFMDCore
import GFMDReplica

/// `gfmd blame`: who wrote each field of a record, as `git blame` does for lines.
struct BlameCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blame",
        abstract: "Show who wrote each field of a record: value by value, element by element, and a text span by span.",
        discussion: """
            Each piece names its author, delegation and time, and the bundle that brought it \
            (file name and checksum, the same on every replica) or "made here". Both values of \
            a conflict are shown, newest first.
            """)

    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: ArgumentHelp("The record's id, or its first digits.", valueName: "id")) var id: String

    func run() throws {
        let replica = try replica.openForReading()
        let (view, fields) = try replica.blame(id)
        if output.json {
            try Output.json(fields)
            return
        }
        Output.line("\(view.state.header.type) \(try replica.displayID(view.state.id))  \(view.state.title)")
        for field in fields {
            Output.line()
            Output.line("\(field.field):\(field.kind == "register" && field.pieces.count > 1 ? "  [conflict]" : "")")
            for piece in field.pieces {
                let place = piece.span.map { Output.pad("\($0[0])–\($0[1])", 10) + " " } ?? ""
                let text = Output.fit(piece.text.replacingOccurrences(of: "\n", with: "⏎"), 40)
                Output.line("  \(place)\(Output.pad("\"\(text)\"", 42))  \(piece.author) (\(piece.participant))  \(Output.time(piece.time))  change \(piece.change.short)  [\(piece.origin)]")
            }
        }
    }
}
