/// Who this replica is, as recorded at `gfmd init`.
public struct StoredIdentity: Sendable, Hashable {
    /// The site's public key (the private key lives beside the database).
    public let publicKey: SitePublicKey
    /// The participant the site acts for.
    public let participant: String
    /// The default author name of changes made here.
    public let author: String

    /// Creates an identity.
    public init(publicKey: SitePublicKey, participant: String, author: String) {
        self.publicKey = publicKey
        self.participant = participant
        self.author = author
    }

    /// The site's id.
    public var siteID: SiteID { publicKey.siteID }
}

/// One line of `gfmd list`: a record's metadata without its fields.
public struct RecordSummary: Sendable, Hashable {
    /// The record's id.
    public let id: RecordID
    /// Its type.
    public let type: String
    /// The participant that owns it.
    public let owner: String
    /// Its work-flow state.
    public let workflow: String
    /// Its title.
    public let title: String
    /// Whether it is deleted.
    public let deleted: Bool
    /// Whether it has a conflict to resolve.
    public let conflicted: Bool
    /// When it was created.
    public let created: HybridTimestamp
    /// When it last changed.
    public let updated: HybridTimestamp

    /// A value with every property given.
    package init(id: RecordID, type: String, owner: String, workflow: String, title: String, deleted: Bool, conflicted: Bool, created: HybridTimestamp, updated: HybridTimestamp) {
        self.id = id
        self.type = type
        self.owner = owner
        self.workflow = workflow
        self.title = title
        self.deleted = deleted
        self.conflicted = conflicted
        self.created = created
        self.updated = updated
    }
}

/// Which records `gfmd list` shows.
public struct RecordFilter: Sendable, Hashable {
    /// Only records of this type; without it, every type but the trust record.
    public var type: String?
    /// Only records in this work-flow state.
    public var workflow: String?
    /// Only records owned by this participant.
    public var owner: String?
    /// Whether every deleted record is included; without it, only those with a
    /// conflict (a contested deletion, for one) are.
    public var includeDeleted: Bool

    /// Only records with a published version (accepted once, even if reopened since).
    public var published: Bool = false

    /// Creates a filter; with no arguments, every record that is not deleted,
    /// and those whose deletion is contested.
    public init(type: String? = nil, workflow: String? = nil, owner: String? = nil, includeDeleted: Bool = false, published: Bool = false) {
        self.published = published
        self.type = type
        self.workflow = workflow
        self.owner = owner
        self.includeDeleted = includeDeleted
    }
}

/// A change as the log holds it, with where it came from.
public struct StoredChange: Sendable {
    /// Position in this replica's log (arrival order).
    public let sequence: Int64
    /// The change with its id and bytes.
    public let encoded: EncodedChange
    /// The bundle that brought it, or nil when it was made on this replica.
    public let bundleID: Int64?

    /// The decoded change.
    public var change: Change { encoded.change }
    /// The change's id.
    public var hash: ChangeHash { encoded.hash }

    /// A value with every property given.
    package init(sequence: Int64, encoded: EncodedChange, bundleID: Int64?) {
        self.sequence = sequence
        self.encoded = encoded
        self.bundleID = bundleID
    }
}

/// Who made a change and when: what conflict listings show beside each value.
public struct ChangeSummary: Sendable, Hashable {
    /// The change's id.
    public let hash: ChangeHash
    /// The author's name.
    public let author: String
    /// The participant the author's site acts for.
    public let participant: String
    /// The author's site.
    public let site: SiteID
    /// When it was made.
    public let timestamp: HybridTimestamp

    /// A value with every property given.
    package init(hash: ChangeHash, author: String, participant: String, site: SiteID, timestamp: HybridTimestamp) {
        self.hash = hash
        self.author = author
        self.participant = participant
        self.site = site
        self.timestamp = timestamp
    }
}

/// A bundle applied to this replica: one line of the ledger.
public struct BundleReceipt: Sendable, Hashable {
    /// The ledger's number for the bundle.
    public let id: Int64?
    /// The bundle's checksum (its id).
    public let checksum: Hash256
    /// The site that made it.
    public let senderSite: SiteID
    /// The participant that site acts for.
    public let senderParticipant: String
    /// When it was made, on the sender's clock.
    public let created: HybridTimestamp
    /// When it was applied here (ISO 8601, this replica's clock).
    public let appliedAt: String
    /// The file's name, when it came from a file.
    public let fileName: String?
    /// Changes it carried.
    public let changeCount: Int
    /// Changes it brought that this replica did not hold.
    public let newChanges: Int
    /// Changes it brought that wait for missing dependencies.
    public let pendingChanges: Int

    /// Describes a bundle about to be applied.
    public init(checksum: Hash256, senderSite: SiteID, senderParticipant: String, created: HybridTimestamp,
                appliedAt: String, fileName: String?, changeCount: Int) {
        self.init(id: nil, checksum: checksum, senderSite: senderSite, senderParticipant: senderParticipant,
                  created: created, appliedAt: appliedAt, fileName: fileName, changeCount: changeCount,
                  newChanges: 0, pendingChanges: 0)
    }

    package init(id: Int64?, checksum: Hash256, senderSite: SiteID, senderParticipant: String, created: HybridTimestamp,
         appliedAt: String, fileName: String?, changeCount: Int, newChanges: Int, pendingChanges: Int) {
        self.id = id
        self.checksum = checksum
        self.senderSite = senderSite
        self.senderParticipant = senderParticipant
        self.created = created
        self.appliedAt = appliedAt
        self.fileName = fileName
        self.changeCount = changeCount
        self.newChanges = newChanges
        self.pendingChanges = pendingChanges
    }
}

/// Changes held back because changes they depend on have not arrived.
public struct PendingSummary: Sendable, Hashable {
    /// How many changes are pending.
    public let count: Int
    /// The missing changes they wait for (ids), sorted.
    public let missing: [ChangeHash]
    /// The records concerned, sorted.
    public let records: [RecordID]

    /// A value with every property given.
    package init(count: Int, missing: [ChangeHash], records: [RecordID]) {
        self.count = count
        self.missing = missing
        self.records = records
    }
}

/// A commit as stored, ready to be written into a bundle.
public struct StoredCommit: Sendable {
    /// The signing site's key.
    public let signer: SitePublicKey
    /// How many changes the whole commit holds.
    public let leafCount: Int
    /// The commit's signature.
    public let signature: [UInt8]
    /// The changes exported, by ascending index: canonical bytes.
    public let leaves: [(index: Int, bytes: [UInt8])]
    /// The Merkle proof for the leaves not exported.
    public let proof: [Hash256]

    /// A value with every property given.
    package init(signer: SitePublicKey, leafCount: Int, signature: [UInt8], leaves: [(index: Int, bytes: [UInt8])], proof: [Hash256]) {
        self.signer = signer
        self.leafCount = leafCount
        self.signature = signature
        self.leaves = leaves
        self.proof = proof
    }
}

/// What `gfmd status` counts: records (the trust record left out), those
/// with a conflict to resolve, changes waiting for others, changes rejected.
public struct ReplicaCounts: Sendable, Hashable, Encodable {
    /// Records held.
    public let records: Int
    /// Records with a conflict to resolve.
    public let conflicted: Int
    /// Changes pending: waiting for changes not received yet.
    public let pending: Int
    /// Changes rejected: their signers were not allowed to make them.
    public let rejected: Int

    /// A value with every property given.
    package init(records: Int, conflicted: Int, pending: Int, rejected: Int) {
        self.records = records
        self.conflicted = conflicted
        self.pending = pending
        self.rejected = rejected
    }
}
