import ArgumentParser
import Foundation
import GFMDCore
import GFMDReplica

/// `gfmd status`: this replica, and what each peer is believed to lack.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show this replica: its enrolment, root key, conflicts, pending and rejected changes, and what each peer is believed to lack.",
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
        let role: String?
        let validUntil: String?
        let certificateProblem: String?
        let rootFingerprint: String?
        let counts: ReplicaCounts
        let peers: [Peer]
        /// Set when this site is in use on another computer too.
        let copiedElsewhere: String?

        enum CodingKeys: String, CodingKey {
            case site, participant, author, role, counts, peers
            case validUntil = "valid_until"
            case certificateProblem = "certificate_problem"
            case rootFingerprint = "root_fingerprint"
            case copiedElsewhere = "copied_elsewhere"
        }
    }

    func run() throws {
        let replica = try replica.openForReading()
        let known = try replica.peerLacks(counting: [])
        let named = Set(peer.map { ParticipantCode($0)!.rawValue })
        let lacks = try replica.peerLacks(counting: named.isEmpty && known.count <= Self.countedPeers ? nil : named)
        let counts = try replica.counts()
        let copy = try replica.copyNotice()
        let snapshot = try replica.trustSnapshot()
        let verdict = snapshot.map { $0.trust.certificate(for: replica.siteID, at: HybridTimestamp(milliseconds: replica.nowMilliseconds, counter: 0), root: $0.root) }
        let certificate = try? verdict?.get()
        let problem: String? = switch verdict {
        case nil: "not enrolled: run `gfmd enroll CERT` with the secretariat's answer to `gfmd request`"
        case .failure(let error)?: error.reason
        case .success?: nil
        }
        if output.json {
            try Output.json(StatusJSON(
                site: replica.siteID.hex, participant: replica.identity.participant, author: replica.identity.author,
                role: certificate?.role.description, validUntil: certificate?.notAfter.iso8601, certificateProblem: problem,
                rootFingerprint: snapshot?.root.siteID.hex, counts: counts,
                peers: lacks.map { .init(participant: $0.participant, sites: $0.sites.map(\.hex), lacking: $0.lacking, unanswered: $0.unanswered,
                                                   lastHeard: $0.lastHeard?.iso8601) },
                copiedElsewhere: copy.map { CopyWarning.line($0, site: replica.siteID) }))
            return
        }
        Output.line("site       \(replica.siteID.hex) (\(replica.identity.participant), \(replica.identity.author))")
        if let certificate {
            Output.line("enrolled   \(certificate.role) of \(certificate.participant), valid until \(Output.time(certificate.notAfter)) (serial \(certificate.serial))")
        } else if let problem {
            Output.line("enrolled   no: \(problem)")
        }
        if let root = snapshot?.root { Output.line("root key   fingerprint \(root.siteID.hex)") }
        if let next = replica.nextSite {
            Output.line("new site   \(next.short) asked for (`gfmd rekey`): `gfmd enroll CERT` moves this replica to it")
        }
        if let notice = copy { Output.line("copied     " + CopyWarning.line(notice, site: replica.siteID)) }
        Output.line("records    \(counts.records)" + (counts.conflicted > 0 ? ", \(counts.conflicted) with a conflict (`gfmd conflicts`)" : ", no conflict"))
        Output.line("changes    \(counts.pending) pending (`gfmd pending`), \(counts.rejected) rejected (`gfmd rejected`)")
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
