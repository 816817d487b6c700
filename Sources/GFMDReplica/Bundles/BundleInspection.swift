import GFMDBundle
public import GFMDCore
import GFMDSync

/// What `gfmd bundle inspect` reports about a bundle file.
public struct BundleInspection: Sendable, Encodable {
    /// One commit's verification result.
    public struct CommitCheck: Sendable, Encodable {
        /// The signing site.
        public let site: SiteID
        /// Changes carried / changes in the whole commit.
        public let changes: Int
        /// Changes in the whole commit.
        public let leafCount: Int
        /// Whether its proof and signature verify.
        public let verified: Bool
        /// Why not, when they do not.
        public let problem: String?
    }

    /// The file's size in bytes.
    public let fileSize: Int
    /// The format version.
    public let version: Int
    /// The bundle's checksum (its id in ledgers).
    public let checksum: Hash256
    /// The site that made it.
    public let sender: SiteID
    /// The participant that site acts for, as the header says (unchecked: `bundle apply` checks it).
    public let senderParticipant: String
    /// Whether the header carries a certificate for the sender's key (format
    /// version 4), signed by the root it names, for the participant it names.
    public let senderCertified: Bool
    /// When it was made.
    public let created: HybridTimestamp
    /// How many changes it carries.
    public let changeCount: Int
    /// Sizes of the body, inflated and compressed.
    public let bodySize: Int, compressedSize: Int
    /// Whether the checksum matches (always, for a file that could be read).
    public let checksumVerified: Bool
    /// Whether the sender's signature verifies (always, for a file that could be read).
    public let senderSignatureVerified: Bool
    /// Each commit's check.
    public let commits: [CommitCheck]
    /// Records the changes concern.
    public let recordCount: Int
    /// Participants the changes were made for, sorted.
    public let participants: [String]
    /// The time span of the changes.
    public let earliest: HybridTimestamp?, latest: HybridTimestamp?

    /// Whether every hash and signature verifies.
    public let allVerified: Bool

    /// What a bundle made for a participant says about knowledge (`Protocol/sync.md`).
    public struct Knowledge: Sendable, Encodable {
        /// The participant the bundle is for.
        public let recipient: String
        /// Sites whose time the sender gives, and how many of them it vouches for.
        public let sites: Int, vouched: Int
        /// Whether the bundle carries everything the recipient may read (nothing assumed).
        public let full: Bool
    }

    /// The sync section, for a bundle made for a participant (format version 5).
    public let knowledge: Knowledge?

    /// For whom a sealed bundle is (format version 6), as its header says.
    public struct Seal: Sendable, Encodable {
        /// The participant it is for.
        public let participant: String
        /// The sites that can open it.
        public let sites: [SiteID]
    }

    /// The recipients of a sealed bundle; nil for a plain one.
    public let sealedFor: Seal?
    /// Whether the body was opened and checked: always for a plain bundle;
    /// for a sealed one, only on one of its recipients.
    public let opened: Bool

    /// Reads and checks a bundle file without applying it: a sealed one is
    /// opened when `recipient` is among its recipients, else only its header,
    /// checksum and sender signature are checked.
    ///
    /// - Throws: ``BundleError`` when the file cannot be read as a bundle at all
    ///   (damaged, truncated, wrongly signed, another version).
    public init(file: [UInt8], as recipient: (site: SiteID, key: DecryptionKey)? = nil) throws {
        let envelope = try BundleEnvelope(reading: file)
        let header = envelope.header
        sealedFor = header.seal.map { Seal(participant: $0.participant, sites: $0.sites) }
        let canOpen = header.seal.map { seal in recipient.map { seal.sites.contains($0.site) } ?? false } ?? true
        let bundle = canOpen ? try envelope.open(as: recipient) : nil
        opened = bundle != nil
        fileSize = file.count
        version = Int(header.version)
        checksum = envelope.checksum
        sender = header.sender.siteID
        senderParticipant = header.senderParticipant
        senderCertified = header.senderCertificate.map {
            $0.siteKey == header.sender && $0.participant == header.senderParticipant && $0.isSignatureValid
        } ?? false
        created = header.created
        changeCount = header.changeCount
        bodySize = header.bodySize
        compressedSize = header.compressedSize
        checksumVerified = true
        senderSignatureVerified = true
        commits = (bundle?.commits ?? []).map { commit in
            let problem: String?
            do throws(SignatureError) {
                _ = try commit.verified()
                problem = nil
            } catch {
                problem = error.reason
            }
            return CommitCheck(site: commit.signer.siteID, changes: commit.leaves.count, leafCount: commit.leafCount,
                               verified: problem == nil, problem: problem)
        }
        allVerified = bundle != nil && commits.allSatisfy(\.verified)
        let changes = (bundle?.commits ?? []).flatMap { $0.leaves.map(\.change.change) }
        recordCount = Set(changes.map(\.record)).count
        participants = Set(changes.map(\.participant)).sorted()
        earliest = changes.map(\.timestamp).min()
        latest = changes.map(\.timestamp).max()
        knowledge = bundle?.sync.map { sync in
            Knowledge(recipient: sync.recipient, sites: sync.holds.entries.count, vouched: sync.vouched.count, full: sync.basis == .nothing)
        }
    }
}
