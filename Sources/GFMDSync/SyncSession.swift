public import GFMDCore

/// The sync state machine of one replica (`Protocol/sync.md`): what it holds,
/// what it believes each peer site holds, and from those what a bundle for a
/// participant carries and what a received bundle teaches.
///
/// A value with no disk, clock or socket: the store loads it, carries out its
/// plans (selecting the changes), and saves it back; the HTTP hub drives the
/// same machine.
public struct SyncSession: Hashable, Sendable {
    /// This replica's site.
    public let site: SiteID
    /// The participant it acts for.
    public let participant: String
    /// Per site, a time up to which this replica holds every change it may read.
    public private(set) var own: Frontier
    /// What it believes each peer site holds.
    public private(set) var peers: [SiteID: PeerKnowledge]

    /// A session over saved state. `own` should include this site's own
    /// newest change, which it always holds.
    public init(site: SiteID, participant: String, own: Frontier, peers: [PeerKnowledge]) {
        self.site = site
        self.participant = participant
        self.own = own
        self.peers = Dictionary(peers.map { ($0.site, $0) }, uniquingKeysWith: { $1 })
    }

    /// Whether `recipient` may read everything this replica may: the
    /// secretariat, and this replica's own participant. Messages for others
    /// are cut to what they may read.
    func readsAllWeMay(_ recipient: String) -> Bool {
        recipient == ParticipantCode.secretariat.rawValue || recipient == participant
    }

    /// Whether a message for `recipient` gives this replica's trust heads: to
    /// the secretariat, from a replica that may not read all it does, so that
    /// the secretariat's bundles back carry exactly the certificates missing.
    func saysTrustHeads(to recipient: String) -> Bool {
        recipient == ParticipantCode.secretariat.rawValue && participant != ParticipantCode.secretariat.rawValue
    }

    /// Records that this site made changes up to `time`.
    public mutating func madeChanges(upTo time: HybridTimestamp) {
        own.advance(SiteTag(site), to: time)
    }

    /// Which of `sites`, the known sites of `recipient`, a bundle for it
    /// (a file, opened by whichever of them gets it) is to catch up: every
    /// one of a delegation's laptops, since a focal point hands the same file
    /// to each colleague in turn; of the secretariat, whose sites share what
    /// they hold among themselves through the hub, the one heard from last
    /// (all of them while none was heard from).
    public func sitesToCatchUp(of recipient: String, among sites: [SiteID]) -> [SiteID] {
        guard recipient == ParticipantCode.secretariat.rawValue else { return sites }
        let heard = sites.compactMap { site in peers[site]?.heardAt.map { (site, $0) } }
        guard let latest = heard.max(by: { ($0.1, $0.0) < ($1.1, $1.0) }) else { return sites }
        return [latest.0]
    }

    /// What a bundle for `recipient` should carry, for its sites `sites` (those
    /// this replica knows of, enrolled and not revoked). With `full`, or when
    /// any of those sites is unknown here, everything it may read.
    public func plan(for recipient: String, sites: [SiteID], full: Bool = false) -> DeltaPlan {
        let sites = Array(Set(sites)).sorted()
        let beliefs = sites.compactMap { peers[$0] }
        let wants = beliefs.reduce(into: Set<ChangeHash>()) { $0.formUnion($1.wants) }
        guard !full, !sites.isEmpty, beliefs.count == sites.count else {
            return DeltaPlan(recipient: recipient, sites: sites, since: Frontier(), said: Frontier(), skip: [], wants: wants,
                             trustHeld: nil, basis: .nothing)
        }
        let since = Frontier.meet(beliefs.map(\.reach))
        let candidates = beliefs.reduce(into: Set<SitePoint>()) { $0.formUnion($1.extras) }
        let skip = candidates.filter { point in !since.covers(point) && beliefs.allSatisfy { $0.holds(point) } }
        let basis = SyncMessage.Basis.sent(Dictionary(uniqueKeysWithValues: beliefs.map { (SiteTag($0.site), $0.sent) }))
        let trust = beliefs.allSatisfy { $0.trust != nil } ? beliefs.map { $0.trust! } : nil
        return DeltaPlan(recipient: recipient, sites: sites, since: since, said: Frontier.meet(beliefs.map(\.holds)), skip: skip,
                         wants: wants, trustHeld: trust, basis: basis)
    }

    /// The message for the bundle that carries out `plan`: this replica's
    /// frontier as the recipient may see it, vouched where this replica is
    /// complete for what the recipient may read, and its extras and wants
    /// (for a recipient that may not read everything, only the extras of its
    /// own participant's sites or that it holds or receives, and what its
    /// changes wait for).
    ///
    /// For a recipient that may not read everything this replica holds, each
    /// time is the latest, at or before this replica's own, of a change the
    /// recipient reads (one it is believed to hold, one carried, or one of its
    /// own participant's sites), so the message reveals nothing of the others. No time reaches a change kept
    /// pending, which is not carried.
    public func message(for plan: DeltaPlan, holdings: DeltaHoldings) -> SyncMessage {
        let open = readsAllWeMay(plan.recipient)
        // Times of changes the recipient reads: those it is believed to hold,
        // those carried, and any of its own participant's sites.
        var readable: [SiteTag: [HybridTimestamp]] = [:]
        for (site, time) in plan.said.entries { readable[site, default: []].append(time) }
        for (site, time) in own.entries where holdings.participants[site] == plan.recipient { readable[site, default: []].append(time) }
        for point in holdings.carried + plan.skip { readable[point.site, default: []].append(point.timestamp) }
        var holds = Frontier()
        for (site, limit) in limits(holdings).entries {
            holds[site] = open ? limit : readable[site, default: []].filter { $0 <= limit }.max() ?? .zero
        }
        let vouched = holds.entries.keys.filter { isComplete(for: $0, toward: plan.recipient, holdings) }
        let wants = holdings.wants.filter { open || $0.waiting == plan.recipient }.map(\.hash)
        // What the recipient holds by name (carried, skipped, or what it
        // pushed or listed itself) may be named back: a hub then says it holds
        // what a laptop pushed, whoever made it, revealing nothing.
        let named = plan.sites.map { peers[$0]?.extras ?? [] }
        let known = Set(holdings.carried + plan.skip).union(named.dropFirst().reduce(named.first ?? []) { $0.intersection($1) })
        return SyncMessage(
            recipient: plan.recipient, holds: holds, vouched: Set(vouched),
            extras: Array(holdings.extras.filter { point in
                !holds.covers(point) && (open || holdings.participants[point.site] == plan.recipient || known.contains(point))
            }.sorted().prefix(SyncMessage.listLimit)),
            wants: Array(wants.sorted().prefix(SyncMessage.listLimit)),
            trustHeads: saysTrustHeads(to: plan.recipient) ? Array(holdings.trustHeads.prefix(SyncMessage.listLimit)) : [],
            taken: holdings.taken.filter { tag, _ in plan.sites.contains { SiteTag($0) == tag } },
            basis: plan.basis)
    }

    /// The entries of `message` (made from `holdings`) whose claims the
    /// recipient checks against a fingerprint, each at its time: those of
    /// delegations' sites that both sides read every change of (each is the
    /// secretariat or that site's participant). A copied replica folder makes
    /// such claims false, and they travel on: from the copy to its colleagues
    /// and the secretariat, and between the secretariat's sites
    /// (`Protocol/sync.md`, "Fingerprints").
    public func fingerprintedSites(of message: SyncMessage, holdings: DeltaHoldings) -> [SiteTag: HybridTimestamp] {
        let secretariat = ParticipantCode.secretariat.rawValue
        let recipient = message.recipient.isEmpty ? participant : message.recipient
        var sites: [SiteTag: HybridTimestamp] = [:]
        for (site, time) in message.holds.entries {
            guard let acting = site == SiteTag(self.site) ? participant : holdings.participants[site] else { continue }
            let readWhole = [participant, recipient].allSatisfy { $0 == secretariat || $0 == acting }
            if readWhole && (acting != secretariat || site == SiteTag(self.site)) { sites[site] = time }
        }
        return sites
    }

    /// Whether this replica is complete for `site` toward `recipient`: it may
    /// read everything of that site the recipient may (it is the secretariat,
    /// or of the recipient's participant, or the site acts for its own).
    func isComplete(for site: SiteTag, toward recipient: String, _ holdings: DeltaHoldings) -> Bool {
        participant == ParticipantCode.secretariat.rawValue || recipient == participant || holdings.participants[site] == participant
    }

    /// Per site, the time up to which this replica may claim to hold what it
    /// holds: its frontier, before its earliest pending change (not carried).
    func limits(_ holdings: DeltaHoldings) -> Frontier {
        if holdings.earliestPending.isEmpty && holdings.cutoff == nil { return own }
        var limits = Frontier()
        for (site, time) in own.entries {
            var limit = time
            if let pending = holdings.earliestPending[site], pending <= limit {
                limit = HybridTimestamp(rawValue: pending.rawValue - 1)
            }
            if let cutoff = holdings.cutoff { limit = min(limit, cutoff) }
            limits[site] = limit
        }
        return limits
    }

    /// The message for a bundle of everything this replica holds (a backup, or
    /// a bundle for another laptop of its participant or the secretariat): its
    /// whole frontier, vouched where it is complete for any reader (its own
    /// participant's sites; every site, for the secretariat), for any recipient.
    public func messageForEverything(holdings: DeltaHoldings) -> SyncMessage {
        let holds = limits(holdings)
        let vouched = holds.entries.keys.filter { site in
            participant == ParticipantCode.secretariat.rawValue || holdings.participants[site] == participant
        }
        return SyncMessage(recipient: "", holds: holds, vouched: Set(vouched),
                           extras: Array(holdings.extras.filter { !holds.covers($0) }.sorted().prefix(SyncMessage.listLimit)),
                           wants: Array(holdings.wants.map(\.hash).sorted().prefix(SyncMessage.listLimit)), basis: .nothing)
    }

    /// Records that the bundle made at `created` for `plan` went out with
    /// `message` (made from `holdings`), carrying the changes at `points`, of
    /// which `trust` are of the trust record.
    ///
    /// A bundle for one site (the hub, or a participant with one laptop) is
    /// believed applied until that site says otherwise: it holds what was
    /// carried, and everything it may read of the vouched sites up to this
    /// replica's own times. A bundle for several sites is opened by whichever
    /// of them gets the file, so none is believed to hold it until it says
    /// so: the next bundle for the participant carries it again. Each site
    /// remembers it as the last sent, so a site that says it took it is then
    /// believed complete up to its times.
    public mutating func sent(_ message: SyncMessage, for plan: DeltaPlan, holdings: DeltaHoldings, created: HybridTimestamp,
                              points: [SitePoint], trust: [ChangeHash] = []) {
        let complete = Frontier(limits(holdings).entries.filter { isComplete(for: $0.key, toward: plan.recipient, holdings) })
        for site in plan.sites {
            var belief = peers[site] ?? PeerKnowledge(site: site, participant: plan.recipient)
            if plan.sites.count == 1 {
                belief.send(message, created: created, points: points, complete: complete, trust: trust)
            } else {
                belief.lastSent = PeerKnowledge.SentBundle(created: created, complete: complete)
            }
            peers[site] = belief
        }
    }

    /// What a received bundle taught.
    public enum Lesson: Hashable, Sendable {
        /// The bundle is for another participant (or carries no message): nothing learnt.
        case nothing
        /// The sender's holdings were taken; this replica's own frontier could
        /// not advance, because the bundle assumed something it does not hold.
        case sender
        /// The sender's holdings were taken, and the vouched times became this replica's own.
        case senderAndOwn
    }

    /// Takes the message of a bundle made at `created` by `sender` (acting for
    /// `senderParticipant`) and carrying the changes at `carried`, once its
    /// changes are applied.
    ///
    /// A claim whose fingerprint differs from what this replica holds of
    /// that site up to the same time is not believed: the sender is believed
    /// to hold nothing of that site but what it names, and its vouch for the
    /// site is not taken (``Received/disputed``).
    ///
    /// - Parameters:
    ///   - adopted: whether this replica applied, and took the message of,
    ///     the sender's bundle made at a given time.
    ///   - fingerprint: what this replica holds of a site up to a time.
    public mutating func received(
        _ message: SyncMessage?, from sender: SiteID, participant senderParticipant: String, created: HybridTimestamp,
        carried: [SitePoint], adopted: (HybridTimestamp) -> Bool, fingerprint: (SiteTag, HybridTimestamp) -> SiteFingerprint
    ) -> Received {
        guard let message, message.recipient == participant || message.recipient.isEmpty, sender != site else {
            return Received(lesson: .nothing)
        }
        let disputed = Set(message.fingerprints.filter { site, theirs in fingerprint(site, theirs.time) != theirs }.keys)
        var belief = peers[sender] ?? PeerKnowledge(site: sender, participant: senderParticipant)
        if belief.participant == senderParticipant {
            if belief.hear(message, created: created, carried: carried, by: SiteTag(site)) {
                for tag in disputed { belief.distrust(tag) }
            }
            peers[sender] = belief
        }
        let covered = switch message.basis {
        case .nothing: true
        case .sent(let chains): chains[SiteTag(site)].map { $0.allSatisfy(adopted) } ?? false
        }
        guard covered else { return Received(lesson: .sender, disputed: disputed) }
        let mine = SiteTag(site)
        for tag in message.vouched where tag != mine && !disputed.contains(tag) { own.advance(tag, to: message.holds[tag]) }
        return Received(lesson: .senderAndOwn, disputed: disputed)
    }

    /// What a received message taught, and which of its claims were not believed.
    public struct Received: Hashable, Sendable {
        /// What was learnt.
        public let lesson: Lesson
        /// The sites whose claims differ from what this replica holds of
        /// them: one of the two sides lacks changes of that site the other
        /// holds, though the claim says otherwise. For this replica's own
        /// site, proof that its replica folder is in use elsewhere (copied,
        /// or restored from a backup).
        public let disputed: Set<SiteTag>

        init(lesson: Lesson, disputed: Set<SiteTag> = []) {
            self.lesson = lesson
            self.disputed = disputed
        }
    }

    /// Takes note that changes at `points` arrived though this replica
    /// believed it held every change of their sites up to their times: a
    /// claim it believed was false (a replica folder copied to a second
    /// computer, which the other copy's changes contradict). Its own frontier
    /// and every peer believed to hold them without naming them fall back to
    /// just before each, so that they travel on like any new change.
    ///
    /// - Returns: whether any belief changed.
    @discardableResult
    public mutating func arrivedLate(_ points: [SitePoint]) -> Bool {
        var changed = false
        for point in points where point.timestamp > .zero {
            let before = HybridTimestamp(rawValue: point.timestamp.rawValue - 1)
            if own.covers(point) && point.site != SiteTag(site) {
                own[point.site] = before
                changed = true
            }
            for (site, belief) in peers where belief.reach.covers(point) && !belief.extras.contains(point) {
                peers[site]?.lower(point.site, to: before)
                changed = true
            }
        }
        return changed
    }
}
