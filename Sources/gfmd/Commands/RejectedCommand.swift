import Foundation
import ArgumentParser
import GFMDCore
import GFMDReplica

/// `gfmd rejected`: lists the changes received that their authors were not allowed to make.
struct RejectedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rejected",
        abstract: "List changes received that their authors were not allowed to make.",
        discussion: """
            A rejected change is never applied and never lost: it is kept with its signer \
            and the reason, and forwarded to the secretariat, so that every replica can \
            check the same verdict.
            """)

    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var output: OutputOptions

    /// The JSON form of a rejected change.
    struct RejectedJSON: Encodable {
        let change: ChangeHash
        let record: RecordID
        let site: SiteID
        let participant: String
        let author: String
        let time: HybridTimestamp
        let code: String
        let reason: String
        let bundle: String?
    }

    func run() throws {
        let replica = try replica.openForReading()
        let rejected = try replica.rejected()
        if output.json {
            try Output.json(rejected.map { entry in
                let change = entry.encoded.change
                return RejectedJSON(change: entry.encoded.hash, record: change.record, site: change.site, participant: change.participant,
                                    author: change.author, time: change.timestamp, code: entry.code, reason: entry.reason, bundle: entry.bundle)
            })
            return
        }
        if rejected.isEmpty {
            Output.line("No rejected changes.")
            return
        }
        for entry in rejected {
            let change = entry.encoded.change
            Output.line("change \(entry.encoded.hash.short) on record \(change.record.short), signed by site \(change.site.short) (\(change.author), \(change.participant)) at \(Output.time(change.timestamp))")
            Output.line("  rejected (\(entry.code)): \(entry.reason)\(entry.bundle.map { "; received in \($0)" } ?? "")")
        }
    }
}
