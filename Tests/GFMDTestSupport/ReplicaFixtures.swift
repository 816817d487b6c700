import Foundation
import GFMDBundle
public import GFMDCore
public import GFMDReplica
public import GFMDStore

/// Creates replicas in a temporary directory, with test clocks, enrolled by a
/// secretariat root replica of their own.
public final class ReplicaFixture: @unchecked Sendable {
    /// Where the replicas live.
    public let directory = TemporaryDirectory("gfmd-replicas")
    /// The clock every replica of the fixture reads.
    public let clock: SteppingClock
    /// The secretariat replica holding the root key, which certifies the others.
    public let root: Replica
    private var enrolled: [Replica] = []

    /// A fixture with its root secretariat replica, on `clock` (a fixed
    /// day by default; the real time for replicas that other processes use).
    public init(clock: SteppingClock = SteppingClock()) {
        self.clock = clock
        root = try! Replica.createSecretariat(at: directory.path("_root"), author: "Root Secretariat", clock: clock)
    }

    /// Creates a replica named `name` for `participant`, enrolled (as
    /// secretariat for SEC, as delegate otherwise, unless `role` says) with
    /// its enrolment file, as `gfmd enroll` does: it holds its own
    /// certificate; bundles bring it the others.
    public func replica(_ name: String, participant: String = "PHL", author: String? = nil, role: Role? = nil, enrolled: Bool = true) throws -> Replica {
        let replica = try Replica.create(
            at: directory.path(name), participant: ParticipantCode(participant)!, author: author ?? "Author of \(name)", clock: clock)
        guard enrolled else { return replica }
        let file = try root.certify(replica.enrolmentRequest(), role: role ?? (participant == "SEC" ? .secretariat : .delegate))
        try replica.enroll(file)
        self.enrolled.append(replica)
        return replica
    }

    /// Enrols a hand-made test site, whose clock starts after its
    /// certificate's, and returns it with the trust-record change certifying
    /// it, for its changes to depend on.
    public func enrolledSite(seed: UInt8, participant: String = "PHL", author: String = "Test Author", role: Role = .delegate) throws -> (site: TestSite, trust: [ChangeHash]) {
        let key = try SiteSigningKey(rawRepresentation: [UInt8](repeating: seed, count: 32))
        let request = EnrolmentRequest(key: key, participant: participant, author: author, created: .zero)
        _ = try root.certify(request, role: role)
        try shareTrust()
        let site = TestSite(seed: seed, participant: participant, author: author, wall: clock.nowMilliseconds() + 1_000)
        return (site, try root.read { try $0.trustChanges(concerning: site.id) })
    }

    /// Sends the root's whole trust record to every enrolled replica.
    public func shareTrust() throws {
        let changes = try root.read { reader in Set(try reader.changeHashes(of: reader.trustRecordID()!)) }
        for replica in enrolled {
            try replica.applyBundle(try root.createBundle(selection: changes).bytes)
        }
    }

    /// A bare store named `name`, pinned to the fixture's root, that holds
    /// only what a test delivers to it, in the order the test chooses.
    public func store(_ name: String) throws -> ReplicaStore {
        guard let root = try self.root.pinnedRoot() else { throw CocoaError(.featureUnsupported) }
        let store = try ReplicaStore(path: directory.path(name + ".sqlite").path)
        try store.write { writer in
            try writer.initialise(StoredIdentity(publicKey: SiteSigningKey().publicKey, participant: "SEC", author: "Auditor"))
            try writer.pin(root: root)
        }
        return store
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

extension ReplicaStore {
    /// Checks and applies a bundle file's bytes, as `gfmd bundle apply` does.
    public func deliver(_ bundle: [UInt8]) throws {
        let commits = try Bundle(reading: bundle).verifiedCommits()
        _ = try write { try $0.apply(commits) }
    }
}
