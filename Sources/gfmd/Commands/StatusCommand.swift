import ArgumentParser
import Foundation
import GFMDCore
import GFMDReplica
import GFMDStore

/// `gfmd status`: this replica, and what each peer is believed to lack.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show this replica and what each peer is believed to lack.",
        discussion: """
            A peer is believed to hold what it said it holds in its last bundle, and what was \
            sent to it since. The count is what the next `gfmd bundle create --to PEER` would carry.
            """)

    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var output: OutputOptions

    struct StatusJSON: Encodable {
        struct Peer: Encodable {
            let participant: String
            let sites: [String]
            let lacking: Int
            let lastHeard: String?

            enum CodingKeys: String, CodingKey {
                case participant, sites, lacking
                case lastHeard = "last_heard"
            }
        }
        let site: String
        let participant: String
        let author: String
        let peers: [Peer]
    }

    func run() throws {
        let replica = try replica.openForReading()
        let lacks = try replica.peerLacks()
        if output.json {
            try Output.json(StatusJSON(
                site: replica.siteID.hex, participant: replica.identity.participant, author: replica.identity.author,
                peers: lacks.map { .init(participant: $0.participant, sites: $0.sites.map(\.hex), lacking: $0.lacking, lastHeard: $0.lastHeard?.iso8601) }))
            return
        }
        Output.line("site       \(replica.siteID.hex) (\(replica.identity.participant), \(replica.identity.author))")
        guard !lacks.isEmpty else {
            Output.line("peers      none yet: a bundle made with --to PEER, or one applied from a peer, starts one")
            return
        }
        for (index, lack) in lacks.enumerated() {
            let heard = lack.lastHeard.map { "last heard \(Output.time($0))" } ?? "never heard from"
            let line = "\(lack.participant) (\(Output.count(lack.sites.count, "site")), \(heard)): believed to lack \(Output.count(lack.lacking, "change"))"
            Output.line((index == 0 ? "peers      " : "           ") + line)
        }
    }
}
