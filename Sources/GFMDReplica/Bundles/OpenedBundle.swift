import GFMDBundle
import GFMDCore

/// A bundle read, its body opened and every commit's signature checked:
/// all that applying it needs, made before its write transaction (and, for
/// several files, while the one before is applied).
struct OpenedBundle: Sendable {
    let bundle: Bundle
    let commits: [VerifiedCommit]

    init(_ bundle: Bundle) throws(BundleError) {
        self.bundle = bundle
        commits = try bundle.verifiedCommits()
    }
}
