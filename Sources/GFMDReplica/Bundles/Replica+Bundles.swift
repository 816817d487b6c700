import GFMDBundle
import GFMDSync
import Logging
public import GFMDCore
import GFMDStore

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
    /// What applying it did (nothing, when it was applied before).
    public let report: ApplyReport
    /// When this replica applied the same file before (ISO 8601), so that
    /// nothing changed this time; nil when it was applied now. Applying a
    /// bundle again is an outcome, not an error: a retried upload succeeds.
    public let previouslyApplied: String?
    /// The proof, brought first by this bundle, that this replica's site is
    /// in use on another computer too (its folder was copied, or restored
    /// from a backup); nil otherwise. ``Replica/copyNotice()`` keeps it.
    public let copyNotice: CopyNotice?

    /// What applying `file` did, in one line, as `gfmd bundle apply` and
    /// `gfmd ui` print it; `conflicts` says where conflicts are shown.
    public func summary(of file: String, conflicts: String) -> String {
        if let previouslyApplied { return "\(file): already applied on \(previouslyApplied); nothing changed" }
        func count(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }
        var line = "\(file): \(count(report.applied + report.releasedFromPending, "new change")) from \(senderParticipant) (site \(sender.short))"
        if report.duplicates > 0 { line += ", \(report.duplicates) already here" }
        if report.heldPending > 0 { line += ", \(report.heldPending) waiting for earlier changes" }
        if report.rejected > 0 { line += ", \(report.rejected) rejected" }
        if !report.recordsConflicted.isEmpty {
            line += "; \(report.recordsConflicted.count) record\(report.recordsConflicted.count == 1 ? " has" : "s have") conflicts: \(conflicts)"
        }
        return line
    }
}

extension Replica {
    /// Writes a bundle of this replica's changes, signed by its site.
    ///
    /// - Parameters:
    ///   - selection: the changes to include, with the trust-record changes
    ///     in their causal past (the certificates that verify them); nil
    ///     includes every change of the log.
    ///   - sealedFor: seal the body to this participant's sites
    ///     (`gfmd bundle create --all` seals a backup to the replica's own);
    ///     nil writes a plain bundle.
    /// - Returns: the file's bytes, the number of changes in it, and the sites it is sealed to.
    /// - Throws: ``ReplicaError`` when no site of `sealedFor` can open a sealed bundle.
    public func createBundle(selection: Set<ChangeHash>? = nil, compressionLevel: Int32 = 6, sealedFor: ParticipantCode? = nil)
        throws -> (bytes: [UInt8], changeCount: Int, sealedFor: SealRecipients?) {
        // Read and compressed one commit at a time inside the transaction, so
        // that a bundle of a hub's whole history costs its compressed size in memory.
        try store.write { writer in
            let stamp = try self.stamp(writer, sealedFor: sealedFor)
            let certified = try selection.map { selection in
                selection.union(try writer.reader.ancestry(of: Array(writer.reader.trustFrontier(of: Array(selection)))))
            }
            // Everything held: any replica may learn what this one holds from it.
            let message = try selection == nil ? knowledgeOfEverything(writer: writer) : nil
            let plan = try writer.reader.exportPlan(selection: certified)
            let bytes = try encode(plan.map(\.shape), stamp: stamp, sync: message, level: compressionLevel) {
                BundleCommit(try writer.reader.stored(plan[$0]))
            }
            return (bytes, plan.reduce(0) { $0 + $1.leaves.count }, stamp.recipients)
        }
    }

    /// This site and its decryption key, which open bundles sealed to it;
    /// nil when the site key is not at hand (a read-only copy without it).
    public var bundleOpener: (site: SiteID, key: DecryptionKey)? {
        decryptionKey.map { (siteID, $0) }
    }

    /// When a bundle is made, the sender's certificate its header carries,
    /// and the sites it is sealed to (nil: plain).
    struct BundleStamp {
        let created: HybridTimestamp
        let certificate: Certificate?
        let recipients: SealRecipients?
    }

    /// Ticks this replica's clock for a new bundle and finds the certificate
    /// its header carries, so that a receiver checks who sent the file before
    /// inflating it; with `sealedFor`, the sites of that participant able to
    /// open it then (`Protocol/bundle.md`, "Sealed bodies").
    ///
    /// - Throws: ``ReplicaError`` when a bundle is to be sealed and no site
    ///   of the participant can open it.
    func stamp(_ writer: StoreWriter, sealedFor participant: ParticipantCode? = nil) throws -> BundleStamp {
        var clock = try writer.reader.clock()
        let created = clock.tick(wallMilliseconds: self.clock.nowMilliseconds())
        try writer.save(clock)
        let root = try writer.reader.root()
        let trust = try writer.trustState()
        let certificate = root.flatMap { try? trust.certificate(for: siteID, at: created, root: $0).get() }
        guard let participant else { return BundleStamp(created: created, certificate: certificate, recipients: nil) }
        let recipients = root.map { trust.recipients(for: participant.rawValue, at: created, root: $0) }
        guard let recipients, !recipients.sites.isEmpty else {
            let old = recipients.map { $0.withoutKey.isEmpty ? "" : " (\($0.withoutKey.count) site\($0.withoutKey.count == 1 ? " has a certificate" : "s have certificates") from a gfmd before sealed bundles: run `gfmd request` on each and certify it again)" } ?? ""
            throw ReplicaError(.invalidRequest, "no site of \(participant) known here can open a sealed bundle\(old); `--plain` writes it unsealed, readable by anyone who holds the file")
        }
        return BundleStamp(created: created, certificate: certificate, recipients: recipients)
    }

    /// The bundle file of `commits`, signed by this replica's site.
    func encode(_ commits: [StoredCommit], stamp: BundleStamp, sync: SyncMessage?, level: Int32) throws -> [UInt8] {
        let bundled = commits.map(BundleCommit.init)
        return try encode(bundled.map(\.shape), stamp: stamp, sync: sync, level: level) { bundled[$0] }
    }

    /// The bundle file of the commits of `shapes`, each read by `commit` from
    /// its index when its turn comes, signed by this replica's site.
    func encode(_ shapes: [BundleCommitShape], stamp: BundleStamp, sync: SyncMessage?, level: Int32,
                commit: (Int) throws -> BundleCommit) throws -> [UInt8] {
        var writer = BundleWriter(shapes: shapes, level: level)
        for index in shapes.indices { writer.append(try commit(index)) }
        return writer.finish(sender: try key, participant: identity.participant, certificate: stamp.certificate,
                             created: stamp.created, sync: sync, sealedFor: stamp.recipients)
    }

    /// Checks and applies a bundle file, in one transaction.
    ///
    /// The sender must be enrolled under this replica's root (by the
    /// certificate its header carries, or one this replica holds) before the
    /// body is even inflated. Changes already held are skipped; changes whose
    /// dependencies are missing wait as pending and are applied when those arrive.
    ///
    /// A bundle applied before changes nothing, and its outcome says so
    /// (``BundleApplyOutcome/previouslyApplied``).
    ///
    /// - Parameters:
    ///   - fileName: recorded in the ledger.
    ///   - sender: when given, the only site whose bundle is accepted (the
    ///     hub takes from each authenticated site only the bundles it signed).
    ///   - progress: told of the changes taken.
    /// - Throws: ``BundleError`` when the file is damaged, wrongly signed, not
    ///   a bundle, or from a sender this replica does not know (or not the
    ///   expected one). The replica is then unchanged.
    @discardableResult
    public func applyBundle(_ file: [UInt8], fileName: String? = nil, sender: SitePublicKey? = nil,
                            progress: ProgressHandler? = nil) throws -> BundleApplyOutcome {
        let envelope = try BundleEnvelope(reading: file)
        if let sender, envelope.header.sender != sender {
            throw BundleError(.unknownSender,
                "the bundle is signed by site \(envelope.header.sender.siteID.short), not by site \(sender.siteID.short) that sent it; nothing was applied")
        }
        return try apply(opening(through: store).open(envelope), fileName: fileName, pinning: nil, through: store, progress: progress)
    }

    /// What opening a bundle takes from this replica now: its pinned root,
    /// the trust it holds (from the index its writer keeps) and its site's
    /// decryption key, as `writes` sees them.
    ///
    /// - Throws: ``StoreError/notEnrolledYet`` when no root is pinned.
    func opening(through writes: some StoreWriting) throws -> BundleOpening {
        let (root, trust) = try writes.write { writer in (try writer.reader.root(), try writer.trustState()) }
        guard let root else {
            throw StoreError.notEnrolledYet
        }
        return BundleOpening(root: root, trust: trust, opener: bundleOpener, participant: identity.participant)
    }

    /// Refuses a bundle whose sender has no usable certificate of `root`, in
    /// `trust` or in the header, for the participant the header names.
    static func checkSender(of header: BundleHeader, trust: TrustState, root: SitePublicKey) throws(BundleError) {
        let verdict = trust.senderCertificate(key: header.sender, participant: header.senderParticipant,
                                              carried: header.senderCertificate, at: header.created, root: root)
        guard case .failure(let error) = verdict else { return }
        let sender = "the sender (site \(header.sender.siteID.short))"
        let why = switch error.code {
        case .unenrolled: "\(sender) is not enrolled with this replica's secretariat: no certificate of its root key names it"
        case .revoked: "the certificate of \(sender) was revoked"
        case .expired: "the certificate of \(sender) is not valid at \(header.created.iso8601), when the bundle was made"
        default: error.reason
        }
        throw BundleError(.unknownSender, "\(why); nothing was applied")
    }

    /// Applies an opened bundle in one write of `writes`, first pinning
    /// `root` in the same write when given (enrolment).
    func apply(_ opened: OpenedBundle, fileName: String?, pinning root: SitePublicKey?, through writes: some StoreWriting,
               progress: ProgressHandler? = nil) throws -> BundleApplyOutcome {
        let (bundle, commits) = (opened.bundle, opened.commits)
        let receipt = BundleReceipt(
            checksum: bundle.checksum, senderSite: bundle.header.sender.siteID,
            senderParticipant: bundle.header.senderParticipant, created: bundle.header.created,
            appliedAt: nowISO8601, fileName: fileName, changeCount: bundle.changeCount)
        let applied = try writes.write { writer -> (report: ApplyReport, previously: String?, copy: CopyNotice?) in
            if let previous = try writer.reader.bundle(checksum: bundle.checksum) {
                return (ApplyReport(), previous.appliedAt, nil)
            }
            if let root {
                try writer.pin(root: root)
            } else if let pinned = try writer.reader.root() {
                // Checked again in the transaction that applies: a revocation
                // applied since the bundle was opened is not missed.
                try Self.checkSender(of: bundle.header, trust: try writer.trustState(), root: pinned)
            }
            let arrivals = try arrivals(in: bundle, reader: writer.reader)
            let report = try writer.apply(commits, receipt: receipt, progress: progress)
            let copy = try learn(from: bundle, arrivals: arrivals, through: fileName ?? "a bundle from site \(bundle.header.sender.siteID.short)",
                                 writer: writer)
            var clock = try writer.reader.clock()
            let wall = self.clock.nowMilliseconds()
            for commit in commits {
                for leaf in commit.leaves { clock.observe(leaf.change.change.timestamp, wallMilliseconds: wall) }
            }
            try writer.save(clock)
            return (report, nil, copy)
        }
        let report = applied.report
        logger.info(applied.previously == nil ? "applied bundle" : "bundle applied before", metadata: [
            "bundle": "\(bundle.checksum.short)", "sender": "\(bundle.header.senderParticipant)",
            "new": "\(report.applied)", "pending": "\(report.heldPending)",
        ])
        return BundleApplyOutcome(
            checksum: bundle.checksum, sender: bundle.header.sender.siteID,
            senderParticipant: bundle.header.senderParticipant, changeCount: bundle.changeCount, report: report,
            previouslyApplied: applied.previously, copyNotice: applied.copy)
    }
}

extension BundleCommit {
    /// A stored commit as a bundle carries it.
    init(_ stored: StoredCommit) {
        self.init(signer: stored.signer, leafCount: stored.leafCount, signature: stored.signature, leaves: stored.leaves, proof: stored.proof)
    }
}

extension ExportedCommit {
    /// What this commit occupies in a bundle, before its changes are read.
    var shape: BundleCommitShape {
        BundleCommitShape(signer: signer, leafCount: leafCount, leaves: leaves.map { ($0.index, $0.size) }, proofCount: proof.count)
    }
}
