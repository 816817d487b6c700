import GFMDBundle
import GFMDCore
import GFMDStore

/// A bundle read, its body opened and every commit's signature checked:
/// all that applying it needs and can be made before its write transaction
/// (for several files, while the one before is applied).
struct OpenedBundle: Sendable {
    let bundle: Bundle
    let commits: [VerifiedCommit]

    init(_ bundle: Bundle) throws(BundleError) {
        self.bundle = bundle
        commits = try bundle.verifiedCommits()
    }
}

/// What opening a bundle takes from a replica, as a value that another
/// thread may use while the replica applies the bundle before.
struct BundleOpening: Sendable {
    /// The replica's pinned root.
    let root: SitePublicKey
    /// The certificates and revocations it holds.
    let trust: TrustState
    /// Its site and decryption key, for bundles sealed to it.
    let opener: (site: SiteID, key: DecryptionKey)?
    /// The participant it acts for.
    let participant: String

    /// Opens a bundle whose sender ``trust`` enrols under ``root``: its body
    /// inflated (and unsealed), its changes read and its signatures checked.
    func open(_ envelope: BundleEnvelope) throws -> OpenedBundle {
        try Replica.checkSender(of: envelope.header, trust: trust, root: root)
        let bundle: Bundle
        do throws(BundleError) {
            bundle = try envelope.open(as: envelope.isSealed ? opener : nil)
        } catch {
            guard error.code == .notForThisSite, envelope.header.seal?.participant == participant else { throw error }
            // Sealed for this laptop's own participant, but before its sender knew this laptop.
            throw BundleError(.notForThisSite, error.reason + ": its sender did not know this laptop yet; once the sender has received a bundle from the secretariat (or from this laptop), a new bundle will open here")
        }
        return try OpenedBundle(bundle)
    }
}
