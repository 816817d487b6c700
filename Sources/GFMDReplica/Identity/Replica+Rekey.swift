import Foundation
public import GFMDCore
import GFMDBundle
import GFMDStore
import Logging

extension Replica {
    /// The enrolment request of the new site this replica moves to (`gfmd
    /// rekey`): a replica folder copied to a second computer, or restored
    /// from a backup while the original went on, signs as the same site as
    /// the other copy; one of them takes a site of its own. The new key is
    /// kept beside the old one (asked again, the same request is made); the
    /// replica signs with the old key until ``moveToNextSite()``, so its work
    /// meanwhile, and every change it made before, travels as before.
    public func nextSiteRequest() throws -> EnrolmentRequest {
        let key: SiteSigningKey
        if let next = try SiteKeyFile.readNext(in: directory) {
            key = next
        } else {
            key = SiteSigningKey()
            try SiteKeyFile.write(key, in: directory, name: SiteKeyFile.nextName)
        }
        return EnrolmentRequest(key: key, participant: identity.participant, author: identity.author,
                                created: HybridTimestamp(milliseconds: clock.nowMilliseconds(), counter: 0))
    }

    /// The new site this replica asked to move to, while it waits for its certificate.
    public var nextSite: SiteID? {
        (try? SiteKeyFile.readNext(in: directory))??.publicKey.siteID
    }

    /// Whether the enrolment file `file` certifies ``nextSite``.
    public func certifiesNextSite(_ file: [UInt8]) throws -> Bool {
        guard let next = try SiteKeyFile.readNext(in: directory) else { return false }
        let bundle = try Bundle(reading: file)
        return try bundle.verifiedCommits().contains { commit in
            commit.leaves.contains { leaf in
                leaf.change.change.operations.contains { operation in
                    if case .certify(let certificate) = operation { certificate.siteKey == next.publicKey } else { false }
                }
            }
        }
    }

    /// Makes the next key this replica's site: from now on it signs as the
    /// new site, and the old one is another site to it (it claims of it only
    /// what peers vouch for, so the other copy's changes reach it). The
    /// replica must then be opened again and enrolled with the new site's
    /// certificate (``enroll(_:)``).
    ///
    /// - Returns: the new site.
    /// - Throws: ``ReplicaError`` when no new site was asked for (`gfmd rekey`).
    @discardableResult
    public func moveToNextSite() throws -> SiteID {
        guard let next = try SiteKeyFile.readNext(in: directory) else {
            throw ReplicaError(.invalidRequest, "this replica asked for no new site: run `gfmd rekey -o FILE` first")
        }
        let old = siteID
        try store.write { try $0.move(from: old, to: next.publicKey) }
        try SiteKeyFile.promoteNext(in: directory)
        logger.notice("moved to a new site", metadata: ["old": "\(old.short)", "new": "\(next.publicKey.siteID.short)"])
        return next.publicKey.siteID
    }

    /// The proof, once seen, that this replica's site is in use on another
    /// computer too; nil when none came (or since it moved to a site of its own).
    public func copyNotice() throws -> CopyNotice? {
        try read { try $0.copyNotice() }
    }

    /// Forgets the proof that this site is in use elsewhere: the other copy
    /// moved to a site of its own.
    public func dismissCopyNotice() throws {
        try store.write { try $0.forgetCopyNotice() }
    }
}
