public import GFMDCore

/// What a bundle for one participant should carry: the changes it may read
/// that none of its sites is believed to hold (`Protocol/sync.md`, "Deltas").
public struct DeltaPlan: Hashable, Sendable {
    /// The participant the bundle is for.
    public let recipient: String
    /// Its sites the plan covers.
    public let sites: [SiteID]
    /// Carry the changes above these times…
    public let since: Frontier
    /// The times, per site, of changes the recipient reads that all its sites
    /// are believed to hold (at or before ``since``): what a message to it may name.
    public let said: Frontier
    /// …except those at these points, which every site holds.
    public let skip: Set<SitePoint>
    /// And these changes, which a site asked for.
    public let wants: Set<ChangeHash>
    /// For each site, trust-record changes it holds with their causal pasts
    /// (its trust heads and what was sent since); nil when a site's are not
    /// known, and the trust record is then judged by ``since`` like the rest.
    public let trustHeld: [Set<ChangeHash>]?
    /// What the plan assumed, for the recipient to check.
    public let basis: SyncMessage.Basis

    /// Whether the changes at `point` are to be carried.
    public func carries(_ point: SitePoint) -> Bool { !since.covers(point) && !skip.contains(point) }

    /// Whether the plan carries everything the recipient may read.
    public var isFull: Bool { basis == .nothing }
}

/// What the store found while carrying out a plan, from which the session
/// writes the bundle's ``SyncMessage``.
public struct DeltaHoldings: Sendable {
    /// The points of the changes the bundle carries.
    public var carried: [SitePoint]
    /// Points this replica holds above its own frontier.
    public var extras: [SitePoint]
    /// Changes this replica is missing, each with the participant of the
    /// pending change that waits for it.
    public var wants: [(hash: ChangeHash, waiting: String)]
    /// The participant each site of this replica's frontier acts for, as far as it knows.
    public var participants: [SiteTag: String]
    /// Per site, the earliest change this replica keeps pending: it is not
    /// carried, so no time at or after it is claimed for the recipient.
    public var earliestPending: [SiteTag: HybridTimestamp]
    /// This replica's trust-record heads.
    public var trustHeads: [ChangeHash]
    /// For each site of the recipient, the `created` time of the newest of its
    /// bundles whose vouches this replica took.
    public var taken: [SiteTag: HybridTimestamp]
    /// When the bundle carries only the oldest of the changes planned (a
    /// push in parts): it carries every one of them up to this time, so no
    /// later time is claimed for the recipient.
    public var cutoff: HybridTimestamp?

    /// What the store found.
    public init(carried: [SitePoint], extras: [SitePoint], wants: [(hash: ChangeHash, waiting: String)], participants: [SiteTag: String],
                earliestPending: [SiteTag: HybridTimestamp] = [:], trustHeads: [ChangeHash] = [], taken: [SiteTag: HybridTimestamp] = [:]) {
        self.carried = carried
        self.extras = extras
        self.wants = wants
        self.participants = participants
        self.earliestPending = earliestPending
        self.trustHeads = trustHeads
        self.taken = taken
    }
}
