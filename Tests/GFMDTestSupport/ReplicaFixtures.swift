public import Foundation
public import GFMDCore
public import GFMDReplica

/// Creates replicas in a temporary directory, with test clocks.
public final class ReplicaFixture: @unchecked Sendable {
    /// Where the replicas live.
    public let directory = TemporaryDirectory("gfmd-replicas")
    /// The clock every replica of the fixture reads.
    public let clock = SteppingClock()

    /// An empty fixture.
    public init() {}

    /// Creates a replica named `name` for `participant`.
    public func replica(_ name: String, participant: String = "PHL", author: String? = nil) throws -> Replica {
        try Replica.create(
            at: directory.path(name), participant: ParticipantCode(participant)!, author: author ?? "Author of \(name)", clock: clock)
    }

    /// Opens the replica named `name` again, as a new process would.
    public func reopen(_ name: String) throws -> Replica {
        try Replica.open(at: directory.path(name), clock: clock)
    }
}

extension Replica {
    /// Sends every change of this replica to `other` through a real bundle file's bytes.
    @discardableResult
    public func send(to other: Replica) throws -> [UInt8] {
        let bundle = try createBundle().bytes
        try other.applyBundle(bundle)
        return bundle
    }
}
