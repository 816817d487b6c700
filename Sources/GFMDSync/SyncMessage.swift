public import GFMDCore

/// What a bundle says about knowledge, beside the changes it carries
/// (`Protocol/sync.md`): what its sender holds, as its recipient may see
/// it, and what the sender assumed its recipient held when it chose those
/// changes.
public struct SyncMessage: Hashable, Sendable {
    /// The participant the bundle is for: a replica of another participant
    /// learns nothing from the message. Empty for a bundle of everything its
    /// sender holds (`bundle create --all`), which any replica may learn from.
    public var recipient: String
    /// Per site, a time up to which the sender holds every change of that site
    /// that the recipient may read.
    public var holds: Frontier
    /// The sites of ``holds`` the sender vouches for: having applied the
    /// bundle, the recipient holds every change of such a site up to that
    /// time that it may read, provided ``basis`` holds for it.
    public var vouched: Set<SiteTag>
    /// Changes the sender holds above its frontier (sorted, distinct).
    public var extras: [SitePoint]
    /// Changes the sender is missing: dependencies of changes it keeps pending (sorted, distinct).
    public var wants: [ChangeHash]
    /// The heads of the sender's trust record (sorted, distinct), in a
    /// message from a delegation's replica to the secretariat; empty otherwise. The
    /// trust record is one small history whose readable part grows as a
    /// participant reads more: its heads say exactly which certificates the
    /// sender holds.
    public var trustHeads: [ChangeHash]
    /// For sites of the recipient's participant, the `created` time of the
    /// newest of their bundles whose vouches the sender took: that bundle's
    /// sender then knows the sender holds all it carried, even what the
    /// bundle's message could not say.
    public var taken: [SiteTag: HybridTimestamp]
    /// What the sender assumed its recipient held.
    public var basis: Basis
    /// For the sites of ``holds`` that act for the sender's participant or
    /// the recipient's, what the sender holds of each up to its time, so
    /// that the recipient checks the claim before believing it (a replica
    /// folder copied to a second computer claims changes it lacks). Written
    /// in a section of its own (body section 4, `Protocol/sync.md`,
    /// "Fingerprints"); empty when the sender wrote none.
    public var fingerprints: [SiteTag: SiteFingerprint] = [:]

    /// What the sender assumed its recipient held when it chose the changes carried.
    public enum Basis: Hashable, Sendable {
        /// Nothing: the bundle carries everything the recipient may read.
        case nothing
        /// Per site of the recipient's participant that the sender knew, the
        /// bundles (by their `created` time) the sender had sent it since the
        /// site's last summary, all of which the site must have applied for
        /// the vouched times to hold for it. A site not listed is not covered.
        case sent([SiteTag: [HybridTimestamp]])
    }

    /// A message.
    public init(recipient: String, holds: Frontier = Frontier(), vouched: Set<SiteTag> = [], extras: [SitePoint] = [], wants: [ChangeHash] = [],
                trustHeads: [ChangeHash] = [], taken: [SiteTag: HybridTimestamp] = [:], basis: Basis = .nothing) {
        self.recipient = recipient
        self.holds = holds
        self.vouched = vouched.intersection(holds.entries.keys)
        self.extras = Array(Set(extras)).sorted()
        self.wants = Array(Set(wants)).sorted()
        self.trustHeads = Array(Set(trustHeads)).sorted()
        self.taken = taken
        self.basis = basis
    }

    /// The most extras and wants a writer puts in one message; beyond it, a
    /// peer sends a change again or waits one more round trip for it.
    public static let listLimit = 4096
}
