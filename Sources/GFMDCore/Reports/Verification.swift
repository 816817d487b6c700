/// What `gfmd verify` found: every hash and signature re-checked, and the
/// replica's log, verdicts and merged state compared with a fresh replay of
/// the changes it holds (DESIGN.md §5).
public struct Verification: Sendable {
    /// The secretariat root key the replica pins: the trust it verified against.
    public let root: SiteID
    /// Changes whose bytes were hashed again: the log, pending and rejected ones.
    public package(set) var changes = 0
    /// Commit signatures checked.
    public package(set) var commits = 0
    /// Records whose merged state was compared with the replay.
    public package(set) var records = 0
    /// The replica's `gfmd digest`.
    public package(set) var digest = ""
    /// The digest of the fresh replay.
    public package(set) var replayedDigest = ""
    /// Everything that did not check out, in the order found.
    public package(set) var problems: [VerificationProblem] = []

    /// Whether everything checked out.
    public var isIntact: Bool { problems.isEmpty }

    /// Nothing checked yet, against `root`.
    package init(root: SiteID) {
        self.root = root
    }
}

/// One thing `gfmd verify` found wrong.
public struct VerificationProblem: Sendable, Hashable {
    /// What kind of thing is wrong.
    public enum Kind: String, Sendable, Hashable {
        /// A stored change's bytes do not decode or do not hash to its id.
        case damagedChange = "damaged_change"
        /// A commit's signature, or the Merkle proof tying its changes to it, does not verify.
        case badSignature = "bad_signature"
        /// A site's stored key is not the key its id names.
        case damagedSite = "damaged_site"
        /// A row names a row of another table that is not there (a change its
        /// commit or bundle, a commit its site): a foreign key of the schema broken.
        case brokenReference = "broken_reference"
        /// The log holds a change the replay does not apply, or the reverse,
        /// or a log column disagrees with the change's signed bytes.
        case logMismatch = "log_mismatch"
        /// A change is rejected or pending here but not in the replay, or the reverse,
        /// or was rejected for another reason.
        case verdictMismatch = "verdict_mismatch"
        /// A record's merged state differs from the replay's.
        case stateMismatch = "state_mismatch"
        /// A site's fingerprint kept in `site_fingerprint` does not count the
        /// changes of that site held up to its time.
        case fingerprintMismatch = "fingerprint_mismatch"
    }

    /// What kind of thing is wrong.
    public let kind: Kind
    /// The change, record or site concerned, in hexadecimal.
    public let subject: String
    /// What is wrong, in words.
    public let detail: String

    /// A value with every property given.
    package init(kind: Kind, subject: String, detail: String) {
        self.kind = kind
        self.subject = subject
        self.detail = detail
    }
}
