import ArgumentParser
import Foundation
import GFMDCore
import GFMDReplica

/// `gfmd pending`: what waits for changes not received yet, and dropping it.
struct PendingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pending",
        abstract: "List changes that wait for changes not received yet, or drop them.",
        discussion: """
            A change whose dependencies have not arrived waits, across restarts, and is \
            applied as soon as a bundle brings them. Changes that will never be \
            completed (sent by mistake, or by a laptop that was lost) can be dropped; \
            they are applied after all if a later bundle brings them again.
            """)

    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var output: OutputOptions

    @Option(parsing: .upToNextOption, help: ArgumentHelp(
        "Drop these pending changes (ids or their first digits), and those that wait on them.", valueName: "change"))
    var drop: [String] = []

    @Flag(help: "Drop every pending change.")
    var dropAll = false

    /// The JSON form of a pending change.
    struct PendingJSON: Encodable {
        let change: ChangeHash
        let record: RecordID
        let site: SiteID
        let participant: String
        let author: String
        let time: HybridTimestamp
        let bundle: String?
        let missing: [ChangeHash]
    }

    func validate() throws {
        guard drop.isEmpty || !dropAll else { throw ValidationError("give either --drop CHANGE... or --drop-all") }
    }

    func run() throws {
        if dropAll || !drop.isEmpty {
            let dropped = try replica.open().dropPending(dropAll ? nil : drop)
            Output.line("Dropped \(Output.count(dropped.count, "pending change"))\(dropped.isEmpty ? "" : ": " + dropped.map(\.short).joined(separator: ", "))")
            return
        }
        let pending = try replica.openForReading().pendingChanges()
        if output.json {
            try Output.json(pending.map { entry in
                let change = entry.encoded.change
                return PendingJSON(change: entry.encoded.hash, record: change.record, site: change.site, participant: change.participant,
                                   author: change.author, time: change.timestamp, bundle: entry.bundle, missing: entry.missing)
            })
            return
        }
        guard !pending.isEmpty else {
            Output.line("Nothing is pending.")
            return
        }
        for entry in pending {
            let change = entry.encoded.change
            Output.line("change \(entry.encoded.hash.short) on record \(change.record.short), by \(TextInput.printable(change.author)) (\(TextInput.printable(change.participant)), site \(change.site.short)) at \(Output.time(change.timestamp))\(entry.bundle.map { ", received in \(TextInput.printable($0))" } ?? "")")
            Output.line(entry.missing.isEmpty
                ? "  waits for other pending changes"
                : "  waits for \(Output.count(entry.missing.count, "change")) not received: \(entry.missing.map(\.short).joined(separator: ", "))")
        }
        let missing = Set(pending.flatMap(\.missing)).count
        Output.line("\(Output.count(pending.count, "change")) wait for \(Output.count(missing, "change")) not received yet: apply the bundles that hold them, or drop them with `gfmd pending --drop CHANGE` (or --drop-all)")
    }
}
