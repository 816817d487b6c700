public import GFMDCore

/// What this replica believes one peer site holds (`Protocol/sync.md`,
/// "Knowledge"): learnt from the newest summary the site sent, and
/// from what was sent to it since, optimistically.
public struct PeerKnowledge: Hashable, Sendable {
    /// The peer site.
    public let site: SiteID
    /// The participant it acts for.
    public let participant: String
    /// Per site, a time up to which the peer holds every change it may read,
    /// each the time of a change it reads (what it said, and what was vouched
    /// to it): a time a message to it may name.
    public var holds: Frontier
    /// Per site, later times up to which it is complete too, known only here:
    /// the times of this replica's own frontier when it sent what the peer
    /// may read up to them (past changes the peer may not read, which no
    /// message to it names).
    public var complete: Frontier
    /// Changes the peer holds above ``reach``.
    public var extras: Set<SitePoint>
    /// Changes the peer asked for.
    public var wants: Set<ChangeHash>
    /// Trust-record changes the peer holds, with their causal pasts: its
    /// trust heads (or what its enrolment file or a full bundle carried) and
    /// those sent since; nil when unknown.
    public var trust: Set<ChangeHash>?
    /// When the peer made the newest summary taken; nil until one arrives.
    public var heardAt: HybridTimestamp?
    /// The bundles sent to the peer since that summary, by their `created` time.
    public var sent: [HybridTimestamp]
    /// The newest bundle sent, taken back when the peer says it took it.
    public var lastSent: SentBundle?

    /// A bundle sent to the peer (by its `created` time) and the times up to
    /// which it made the peer complete, for the sites it vouched: more than its
    /// message could say to a peer that may not read everything.
    public struct SentBundle: Hashable, Sendable {
        /// When the bundle was made.
        public let created: HybridTimestamp
        /// The times up to which it made the peer complete.
        public let complete: Frontier

        /// A bundle made at `created` that made the peer complete up to `complete`.
        public init(created: HybridTimestamp, complete: Frontier) {
            self.created = created
            self.complete = complete
        }
    }

    /// The most bundles sent without an answer that a belief keeps; past it,
    /// the belief is dropped and the next bundle carries everything again.
    public static let unansweredLimit = 64

    /// Knows nothing yet about `site`.
    public init(site: SiteID, participant: String, holds: Frontier = Frontier(), complete: Frontier = Frontier(), extras: Set<SitePoint> = [],
                wants: Set<ChangeHash> = [], trust: Set<ChangeHash>? = nil, heardAt: HybridTimestamp? = nil, sent: [HybridTimestamp] = [],
                lastSent: SentBundle? = nil) {
        self.site = site
        self.participant = participant
        self.holds = holds
        self.complete = complete
        self.extras = extras
        self.wants = wants
        self.trust = trust
        self.heardAt = heardAt
        self.sent = sent
        self.lastSent = lastSent
    }

    /// Whether the peer is believed to hold the changes at `point`.
    public func holds(_ point: SitePoint) -> Bool { reach.covers(point) || extras.contains(point) }

    /// Per site, the time up to which the peer is believed complete: the later of ``holds`` and ``complete``.
    public var reach: Frontier {
        var reach = holds
        reach.formJoin(complete)
        return reach
    }

    /// Takes the summary of a bundle the peer made at `created`, which carried
    /// the changes at `carried` (the peer holds those too). What was believed
    /// optimistically is dropped: a bundle lost on the way is sent again. The
    /// trust-record changes believed held are kept unless it says its heads
    /// (a trust change lost on the way comes back when asked for).
    ///
    /// - Returns: false, changing nothing, for a summary older than the newest taken.
    @discardableResult
    public mutating func hear(_ message: SyncMessage, created: HybridTimestamp, carried: [SitePoint], by receiver: SiteTag) -> Bool {
        if let heardAt, created <= heardAt { return false }
        holds = message.holds
        complete = lastSent.flatMap { message.taken[receiver] == $0.created ? $0.complete : nil } ?? Frontier()
        // Carried points stay named even where its frontier covers them, so
        // that a message back to it may name them as held here (what a laptop
        // pushed of another site it could not vouch for).
        extras = Set(message.extras).union(carried)
        wants = Set(message.wants)
        if !message.trustHeads.isEmpty { trust = Set(message.trustHeads) }
        heardAt = created
        sent = []
        return true
    }

    /// Believes the peer holds nothing of `site` but what it names: its claim
    /// about that site did not match what this replica holds.
    public mutating func distrust(_ site: SiteTag) {
        lower(site, to: .zero)
    }

    /// Believes the peer holds `site`'s changes up to `time` at most, but
    /// those it names.
    public mutating func lower(_ site: SiteTag, to time: HybridTimestamp) {
        if holds[site] > time { holds[site] = time }
        if complete[site] > time { complete[site] = time }
    }

    /// Believes, until the peer says otherwise, that it applies the bundle made
    /// at `created` with `message`, carrying the changes at `points`, and so
    /// holds what it may read up to `complete` (the uncut times of the sites
    /// the bundle vouched for). What the peer asked for stays asked until it
    /// says otherwise: the bundle may reach another site of its participant.
    public mutating func send(_ message: SyncMessage, created: HybridTimestamp, points: [SitePoint], complete: Frontier,
                              trust carried: [ChangeHash] = []) {
        guard sent.count < Self.unansweredLimit else {
            self = PeerKnowledge(site: site, participant: participant)
            return
        }
        for site in message.vouched { holds.advance(site, to: message.holds[site]) }
        self.complete.formJoin(complete)
        lastSent = SentBundle(created: created, complete: complete)
        extras.formUnion(points)
        extras = extras.filter { !reach.covers($0) }
        if message.basis == .nothing {
            trust = (trust ?? []).union(carried)  // it holds at least what a full bundle carried
        } else {
            trust?.formUnion(carried)
        }
        sent.append(created)
    }
}
