import GFMDBundle
import Logging
public import GFMDCore
public import GFMDStore

/// What applying a bundle file did.
public struct BundleApplyOutcome: Sendable {
    /// The bundle's checksum (its id in the ledger).
    public let checksum: Hash256
    /// The site that made it.
    public let sender: SiteID
    /// The participant that site acts for.
    public let senderParticipant: String
    /// How many changes it carried.
    public let changeCount: Int
    /// What applying it did.
    public let report: ApplyReport
}

extension Replica {
    /// Writes a bundle of this replica's changes, signed by its site.
    ///
    /// - Parameter selection: the changes to include, with the trust-record
    ///   changes in their causal past (the certificates that verify them); nil
    ///   includes every change of the log.
    /// - Returns: the file's bytes and the number of changes in it.
    public func createBundle(selection: Set<ChangeHash>? = nil, compressionLevel: Int32 = 6) throws -> (bytes: [UInt8], changeCount: Int) {
        let (commits, created) = try store.write { writer -> ([StoredCommit], HybridTimestamp) in
            var clock = try writer.reader.clock()
            let created = clock.tick(wallMilliseconds: self.clock.nowMilliseconds())
            try writer.save(clock)
            let certified = try selection.map { selection in
                selection.union(try writer.reader.ancestry(of: Array(writer.reader.trustFrontier(of: Array(selection)))))
            }
            return (try writer.reader.exportCommits(selection: certified), created)
        }
        let bundleCommits = commits.map {
            BundleCommit(signer: $0.signer, leafCount: $0.leafCount, signature: $0.signature, leaves: $0.leaves, proof: $0.proof)
        }
        let bytes = Bundle.encode(bundleCommits, sender: key, participant: identity.participant, created: created, level: compressionLevel)
        return (bytes, commits.reduce(0) { $0 + $1.leaves.count })
    }

    /// Writes a bundle of what `participant` may read (`Protocol/trust.md`,
    /// "Visibility"): its own and co-authored records, the published version
    /// of accepted ones, and the trust record. Another participant's drafts
    /// are left out entirely.
    public func createBundle(for participant: ParticipantCode, compressionLevel: Int32 = 6) throws -> (bytes: [UInt8], changeCount: Int) {
        let selection = try read { reader in try reader.changes(visibleIn: reader.visibility(for: participant.rawValue)) }
        return try createBundle(selection: selection, compressionLevel: compressionLevel)
    }

    /// Checks and applies a bundle file, in one transaction.
    ///
    /// Changes already held are skipped; changes whose dependencies are missing
    /// wait as pending and are applied when those arrive.
    ///
    /// - Parameter fileName: recorded in the ledger.
    /// - Throws: ``BundleError`` when the file is damaged, wrongly signed or not
    ///   a bundle; ``ChangeError`` when a change cannot apply; ``StoreError``
    ///   when the bundle was applied before. The replica is then unchanged.
    @discardableResult
    public func applyBundle(_ file: [UInt8], fileName: String? = nil) throws -> BundleApplyOutcome {
        try applyBundle(try Bundle(reading: file), fileName: fileName, pinning: nil)
    }

    /// Applies a read bundle, first pinning `root` in the same transaction when given (enrolment).
    func applyBundle(_ bundle: Bundle, fileName: String?, pinning root: SitePublicKey?) throws -> BundleApplyOutcome {
        let commits = try bundle.verifiedCommits()
        let receipt = BundleReceipt(
            checksum: bundle.checksum, senderSite: bundle.header.sender.siteID,
            senderParticipant: bundle.header.senderParticipant, created: bundle.header.created,
            appliedAt: nowISO8601, fileName: fileName, changeCount: bundle.changeCount)
        let report = try store.write { writer in
            if let root { try writer.pin(root: root) }
            let report = try writer.apply(commits, receipt: receipt)
            var clock = try writer.reader.clock()
            let wall = self.clock.nowMilliseconds()
            for commit in commits {
                for leaf in commit.leaves { clock.observe(leaf.change.change.timestamp, wallMilliseconds: wall) }
            }
            try writer.save(clock)
            return report
        }
        logger.info("applied bundle", metadata: [
            "bundle": "\(bundle.checksum.short)", "sender": "\(bundle.header.senderParticipant)",
            "new": "\(report.applied)", "pending": "\(report.heldPending)",
        ])
        return BundleApplyOutcome(
            checksum: bundle.checksum, sender: bundle.header.sender.siteID,
            senderParticipant: bundle.header.senderParticipant, changeCount: bundle.changeCount, report: report)
    }
}
