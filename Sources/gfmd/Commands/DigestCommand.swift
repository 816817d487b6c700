import Foundation
import ArgumentParser
import GFMDReplica
import GFMDStore

/// `gfmd digest`: a fingerprint of the merged state.
struct DigestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "Print a fingerprint of every record as merged here.",
        discussion: "Replicas holding the same changes print the same digest, whatever order the changes arrived in.")

    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var output: OutputOptions

    struct DigestJSON: Encodable {
        let digest: String
        let records: Int
        let changes: Int
        let pending: Int
    }

    func run() throws {
        let replica = try replica.open()
        let digest = try replica.digest()
        if output.json {
            let (records, changes) = try replica.read { (try $0.recordCount(), try $0.changeCount()) }
            try Output.json(DigestJSON(digest: digest, records: records, changes: changes, pending: try replica.pending().count))
        } else {
            Output.line(digest)
        }
    }
}
