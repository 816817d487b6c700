import Foundation
public import GFMDCore
import GRDB
import Logging

/// Writes to a replica's database inside one transaction.
public struct StoreWriter {
    let db: Database
    let logger: Logger
    let cache: RecordCache
    /// Records to keep in memory once this write succeeds.
    let loaded: LoadedRecords

    /// Reads within the same transaction.
    public var reader: StoreReader { StoreReader(db: db, sites: cache.sites, trust: loaded.trust) }

    /// The merged state of record `id`, from the in-memory cache when it is
    /// current (a long text is then neither decoded nor replayed again), else
    /// from the database, keeping it in the cache for the apply that follows.
    public func record(_ id: RecordID) throws -> RecordState? {
        if let cached = cache.peek(id), let heads = try StoredRecord.heads(of: id, in: db),
           heads == cached.heads.sorted().concatenatedData {
            return cached.state
        }
        guard let stored = try StoredRecord.load(id, from: db) else { return nil }
        cache.put([stored])
        return stored.state
    }

    /// Records the replica's identity; done once, by `gfmd init`.
    public func initialise(_ identity: StoredIdentity) throws {
        guard try reader.identity() == nil else {
            throw StoreError(.notInitialised, "this replica already has an identity")
        }
        try setMeta(StoreReader.MetaKey.publicKey, Data(identity.publicKey.rawRepresentation))
        try setMeta(StoreReader.MetaKey.participant, Data(identity.participant.utf8))
        try setMeta(StoreReader.MetaKey.author, Data(identity.author.utf8))
    }

    /// Pins the secretariat's root key: every certificate must be signed by it.
    ///
    /// - Throws: ``StoreError`` when another root is already pinned.
    public func pin(root: SitePublicKey) throws {
        if let pinned = try reader.root() {
            guard pinned == root else {
                throw StoreError(.notEnrolled, "this replica already trusts another secretariat root key (\(pinned.siteID.short))")
            }
            return
        }
        try setMeta(StoreReader.MetaKey.root, Data(root.rawRepresentation))
    }

    /// Takes the next certificate serial number (the root holder's counter).
    public func nextCertificateSerial() throws -> UInt64 {
        let data = try reader.meta(StoreReader.MetaKey.nextSerial)
        let serial = data.map { $0.reduce(UInt64(0)) { $0 << 8 | UInt64($1) } } ?? 1
        var next = (serial + 1).bigEndian
        try setMeta(StoreReader.MetaKey.nextSerial, Data(bytes: &next, count: 8))
        return serial
    }

    /// Saves the site's clock after it issued or observed a timestamp.
    public func save(_ clock: HybridLogicalClock) throws {
        var raw = clock.latest.rawValue.bigEndian
        try setMeta(StoreReader.MetaKey.clock, Data(bytes: &raw, count: 8))
    }

    func setMeta(_ key: String, _ value: Data) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)").execute(arguments: [key, value])
    }

    /// Applies verified commits: new changes whose dependencies are present are
    /// authorised and applied in causal order, the others wait as pending;
    /// changes already held are skipped. A change that breaks a rule decided
    /// from its causal past (`Protocol/changes.md` rules 5–9, or its author was
    /// not allowed to make it) is kept as rejected, or, with
    /// `refuseUnauthorised` (local edits), refused. With a `receipt`, the
    /// bundle enters the ledger. Bodies found in `packed` are stored as
    /// packed there, the others packed here. `progress` is told of the
    /// changes taken.
    ///
    /// - Throws: ``ChangeError`` or ``AuthorizationError`` for a change that
    ///   breaks a rule, when refusing them (the transaction is then rolled back), or
    ///   ``StoreError`` (``StoreError/Code/duplicateBundle`` when the bundle
    ///   was applied before, ``StoreError/Code/notEnrolled`` before enrolment).
    public func apply(_ commits: [VerifiedCommit], receipt: BundleReceipt? = nil,
                      refuseUnauthorised: Bool = false, progress: ProgressHandler? = nil) throws -> ApplyReport {
        try apply(commits, receipt: receipt, policy: refuseUnauthorised ? .refuse : .receive, progress: progress)
    }

    /// Applies verified commits under `policy` (``apply(_:receipt:refuseUnauthorised:progress:)``).
    func apply(_ commits: [VerifiedCommit], receipt: BundleReceipt?, policy: ApplySession.Policy,
               progress: ProgressHandler? = nil) throws -> ApplyReport {
        guard let root = try reader.root() else {
            throw StoreError.notEnrolledYet
        }
        var bundleID: Int64?
        if let receipt {
            if let previous = try reader.bundle(checksum: receipt.checksum) {
                throw StoreError(.duplicateBundle,
                    "this bundle was already applied on \(previous.appliedAt) (ledger entry \(previous.id ?? 0)); nothing changed")
            }
            try db.cachedStatement(sql: """
                INSERT INTO bundle(checksum, sender_site, sender_participant, created_hlc, applied_at, file_name, change_count)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [receipt.checksum.data, receipt.senderSite.data, receipt.senderParticipant,
                                         Int64(bitPattern: receipt.created.rawValue), receipt.appliedAt, receipt.fileName,
                                         receipt.changeCount])
            bundleID = db.lastInsertedRowID
        }
        // Every commit is stored before the changes are taken: while they
        // are, the session's rows are written on another core.
        let commitIDs = try commits.map(store)
        let session = try ApplySession(db: db, bundleID: bundleID, cache: cache, trust: trustIndex(root: root), policy: policy,
                                       incoming: commits.flatMap { $0.leaves.map(\.change) })
        let total = commits.reduce(0) { $0 + $1.leaves.count }
        let stride = WorkProgress.stride(for: total)
        var taken = 0
        for (commit, commitID) in zip(commits, commitIDs) {
            for leaf in commit.leaves {
                try session.receive(leaf.change, commitID: commitID, leafIndex: leaf.index)
                taken += 1
                if let progress, taken % stride == 0, taken < total { progress(WorkProgress("applying changes", done: taken, total: total)) }
            }
        }
        let report = try session.finish()
        progress?(WorkProgress("applying changes", done: total, total: total))
        loaded.records += session.takeLoadedRecords()
        if let bundleID {
            try db.cachedStatement(sql: "UPDATE bundle SET new_changes = ?, pending_changes = ? WHERE id = ?")
                .execute(arguments: [report.applied, report.heldPending, bundleID])
        }
        logger.debug("applied commits", metadata: [
            "commits": "\(commits.count)", "applied": "\(report.applied)",
            "duplicates": "\(report.duplicates)", "pending": "\(report.heldPending)",
        ])
        return report
    }

    /// The trust-record changes that certify or revoke `site`, in log order
    /// (as ``StoreReader/trustChanges(concerning:)``, from the trust index
    /// kept between transactions rather than by decoding every certificate).
    public func trustChanges(concerning site: SiteID) throws -> [ChangeHash] {
        guard let root = try reader.root() else { return [] }
        return try trustIndex(root: root).changes(concerning: site)
    }

    /// Every certificate and revocation this replica holds (empty before enrolment).
    public func trustState() throws -> TrustState {
        guard let root = try reader.root() else { return TrustState() }
        return try trustIndex(root: root).current
    }

    /// The trust index, current for this transaction: the one an earlier
    /// step of it used, else the one kept from an earlier transaction, else read afresh.
    private func trustIndex(root: SitePublicKey) throws -> TrustIndex {
        let index = try TrustIndex.current(loaded.trust ?? cache.takeTrust(), db: db, root: root)
        loaded.trust = index
        return index
    }

    /// Stores a commit's signature (merging proof nodes with what is known) and returns its row id.
    private func store(_ commit: VerifiedCommit) throws -> Int64 {
        let siteID = commit.signer.siteID
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO site(id, public_key) VALUES (?, ?)")
            .execute(arguments: [siteID.data, Data(commit.signer.rawRepresentation)])
        if db.changesCount > 0 { cache.sites.signerAdded(siteID) }
        let existing = try db.cachedStatement(sql: "SELECT id, proof_nodes FROM commit_group WHERE root = ?")
        if let row = try Row.fetchOne(existing, arguments: [commit.root.data]) {
            let id: Int64 = row[0]
            if !commit.proofNodes.isEmpty {
                let known = try [MerkleTree.Node](decoding: row[1])
                let merged = Array(Set(known + commit.proofNodes)).sorted { ($0.start, $0.end) < ($1.start, $1.end) }
                if merged.count != known.count {
                    try db.execute(sql: "UPDATE commit_group SET proof_nodes = ? WHERE id = ?", arguments: [merged.encoded, id])
                }
            }
            return id
        }
        try db.cachedStatement(sql: "INSERT INTO commit_group(root, site, leaf_count, signature, proof_nodes) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [commit.root.data, siteID.data, commit.leafCount, Data(commit.signature), commit.proofNodes.encoded])
        return db.lastInsertedRowID
    }
}

/// The records an apply loaded, handed to the cache once its write succeeded.
final class LoadedRecords {
    var records: [StoredRecord] = []
    var trust: TrustIndex?
}
