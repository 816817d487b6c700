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

    @Option(help: ArgumentHelp("Count what these participants lack (every peer's count when this replica knows at most 20).", valueName: "peer"))
    var peer: [String] = []

    /// Above this many peers, only those named with --peer are counted: each count reads what the peer is not believed to hold.
    static let countedPeers = 20

    func validate() throws {
        for code in peer where ParticipantCode(code) == nil {
            throw ValidationError("\"\(code)\" is not a participant code: use e.g. SEC, PHL or IOM")
        }
    }

    struct StatusJSON: Encodable {
        struct Peer: Encodable {
            let participant: String
            let sites: [String]
            let lacking: Int?
            let unanswered: Int
            let lastHeard: String?

            enum CodingKeys: String, CodingKey {
                case participant, sites, lacking, unanswered
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
        let known = try replica.peerLacks(counting: [])
        let named = Set(peer.map { ParticipantCode($0)!.rawValue })
        let lacks = try replica.peerLacks(counting: named.isEmpty && known.count <= Self.countedPeers ? nil : named)
        if output.json {
            try Output.json(StatusJSON(
                site: replica.siteID.hex, participant: replica.identity.participant, author: replica.identity.author,
                peers: lacks.map { .init(participant: $0.participant, sites: $0.sites.map(\.hex), lacking: $0.lacking, unanswered: $0.unanswered,
                                                   lastHeard: $0.lastHeard?.iso8601) }))
            return
        }
        Output.line("site       \(replica.siteID.hex) (\(replica.identity.participant), \(replica.identity.author))")
        guard !lacks.isEmpty else {
            Output.line("peers      none yet: a bundle made with --to PEER, or one applied from a peer, starts one")
            return
        }
        for (index, lack) in lacks.enumerated() {
            let heard = lack.lastHeard.map { "last heard \(Output.time($0))" } ?? "never heard from"
            let unanswered = lack.unanswered > 0 ? ", \(Output.count(lack.unanswered, "bundle")) sent since" : ""
            let lacking = lack.lacking.map { ": believed to lack \(Output.count($0, "change"))" } ?? ""
            let line = "\(lack.participant) (\(Output.count(lack.sites.count, "site")), \(heard)\(unanswered))\(lacking)"
            Output.line((index == 0 ? "peers      " : "           ") + line)
        }
        if lacks.contains(where: { $0.lacking == nil }) {
            Output.line("           (\(lacks.count) peers: `gfmd status --peer PEER` counts what one lacks)")
        }
    }
}
