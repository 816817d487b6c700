import ArgumentParser
import Foundation
import GFMDCore
import GFMDReplica

/// `gfmd export`: the compendium the secretariat publishes.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export records as a compendium: RFC 4180 CSV, JSON, or Markdown grouped by type and participant.",
        discussion: """
            With --published, each record's version as the secretariat last accepted it \
            (the Policy and Practice Database, a roundtable's background papers, the follow-up \
            matrix); records never accepted are left out. Without it, every record as merged \
            here. Deleted records are left out. CSV has one row per record and a column per \
            field: a set's elements are joined by "; ", a list's items separated by a line ---.

            --matrix writes the matrix of knowledge gaps instead: themes down, the \
            participants proposing gaps across, each cell the gaps (id and first line) of \
            that theme a participant proposes; a gap without proposers counts under its owner.
            """)

    @OptionGroup var replica: ReplicaOptions
    @Option(help: ArgumentHelp("csv, json or markdown.", valueName: "format")) var format: String
    @Flag(help: "Each record's published (accepted) version.") var published = false
    @Flag(help: "The matrix of knowledge gaps (csv or markdown), rather than the records.") var matrix = false
    @Option(help: ArgumentHelp("Only records of this type.", valueName: "type")) var type: String?
    @Option(name: .shortAndLong, help: ArgumentHelp("The file to write (- or none: standard output).", valueName: "file")) var output: String?
    @OptionGroup var progress: ProgressOptions

    func validate() throws {
        guard CompendiumFormat(rawValue: format) != nil else {
            throw ValidationError("--format takes csv, json or markdown, not \"\(format)\"")
        }
        if matrix, format == "json" {
            throw ValidationError("--matrix is written as csv or markdown")
        }
        if matrix, type != nil {
            throw ValidationError("--matrix is made of knowledge gaps: leave out --type")
        }
        if let type, Schema.type(named: type) == nil {
            throw ValidationError("\"\(type)\" is not a record type; the types are \(Schema.types.map(\.name).joined(separator: ", "))")
        }
    }

    func run() throws {
        let replica = try replica.openForReading()
        let progress = progress.line()
        let records = try replica.compendium(type: matrix ? "knowledge_gap" : type, published: published, progress: progress.handler)
        progress.clear()
        let format = CompendiumFormat(rawValue: format)!
        let bytes = matrix ? Array((format == .csv ? GapMatrix(records).csv : GapMatrix(records).markdown).utf8) : try format.render(records)
        guard let output, output != "-" else {
            FileHandle.standardOutput.write(Data(bytes))
            return
        }
        try FileArgument.write(bytes, to: output)
        Output.note("Wrote \(Output.count(records.count, published ? "published record" : "record")) as \(format.rawValue) to \(output)")
    }
}
