import Foundation
import ArgumentParser
import GFMDCore
import GFMDReplica

/// `gfmd digest`: a fingerprint of the merged state.
struct DigestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "Print a fingerprint of every record as merged here.",
        discussion: "Replicas holding the same changes print the same digest, whatever order the changes arrived in.")

    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var output: OutputOptions

    @Option(name: .customLong("for"), help: ArgumentHelp(
        "The digest of what this participant may read here: equal to the digest its own replicas print once they hold it all.",
        valueName: "peer"))
    var peer: String?

    func validate() throws {
        if let peer, ParticipantCode(peer) == nil {
            throw ValidationError("\"\(peer)\" is not a participant code: use e.g. SEC, PHL or IOM")
        }
    }

    struct DigestJSON: Encodable {
        let digest: String
        let records: Int
        let changes: Int
        let pending: Int
    }

    func run() throws {
        let replica = try replica.openForReading()
        let digest = try peer.map { try replica.digest(for: ParticipantCode($0)!) } ?? replica.digest()
        if output.json {
            let (records, changes) = try replica.sizes()
            try Output.json(DigestJSON(digest: digest, records: records, changes: changes, pending: try replica.pending().count))
        } else {
            Output.line(digest)
        }
    }
}
