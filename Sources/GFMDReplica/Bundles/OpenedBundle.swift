import GFMDBundle
import GFMDCore
import GFMDStore

/// A bundle read, its body opened, every commit's signature checked and its
/// changes' bodies packed as the log stores them: all that applying it needs
/// and can be made before its write transaction (for several files, while
/// the one before is applied).
struct OpenedBundle: Sendable {
    let bundle: Bundle
    let commits: [VerifiedCommit]
    let packed: PackedBodies

    init(_ bundle: Bundle) throws(BundleError) {
        self.bundle = bundle
        commits = try bundle.verifiedCommits()
        packed = PackedBodies(commits)
    }
}
