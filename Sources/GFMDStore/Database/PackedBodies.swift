import Foundation
public import GFMDCore

/// Change bodies packed as the log stores them (``PackedBlob``), made before
/// the transaction that stores them: a bundle's are packed while it is
/// opened, on another core while the bundle before it is applied.
///
/// A body not found here is packed when it is stored.
public struct PackedBodies: Sendable {
    private var bodies: [ChangeHash: Data] = [:]

    /// No body packed ahead.
    public init() {}

    /// The bodies of every change of `commits`, packed.
    public init(_ commits: [VerifiedCommit]) {
        bodies.reserveCapacity(commits.reduce(0) { $0 + $1.leaves.count })
        for commit in commits {
            for leaf in commit.leaves { bodies[leaf.change.hash] = PackedBlob.pack(leaf.change.bytes) }
        }
    }

    /// The body of `change`, packed.
    func body(of change: EncodedChange) -> Data {
        bodies[change.hash] ?? PackedBlob.pack(change.bytes)
    }
}
