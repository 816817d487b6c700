import Foundation
import GFMDCore
import GFMDReplica
import Logging

extension Replica {
    /// Creates a replica in `directory` and enrols it with a certificate from `root`
    /// (the secretariat replica holding the root key), as `gfmd request`,
    /// `gfmd certify` and `gfmd enroll` would.
    static func enrolled(
        at directory: URL, participant: ParticipantCode, author: String, role: Role, by root: Replica, logger: Logger
    ) throws -> Replica {
        let replica = try Replica.create(at: directory, participant: participant, author: author, logger: logger)
        try replica.enroll(try root.certify(replica.enrolmentRequest(), role: role))
        return replica
    }
}
