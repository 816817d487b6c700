import GFMDBundle
public import GFMDCore
import GFMDStore
import GFMDSync
import Logging

/// A bundle made for one participant.
public struct PeerBundle: Sendable {
    /// The file's bytes.
    public let bytes: [UInt8]
    /// The changes it carries.
    public let changeCount: Int
    /// The participant it is for.
    public let recipient: ParticipantCode
    /// Whether it carries everything the recipient may read: with `--full`,
    /// or when this replica knew nothing yet of what its sites hold.
    public let isFull: Bool
    /// The sites it is sealed to; nil: a plain bundle.
    public let sealedFor: SealRecipients?
    /// The recipient's sites it is meant to catch up, carrying what the
    /// least advanced of them lacks: every laptop of a delegation known here
    /// (but this one), the secretariat's site heard from last, or the one
    /// site asked for.
    public let sites: [SiteID]
    /// Whether a budget left some of what the recipient lacks for a next
    /// bundle (`createBundle(for:site:full:compressionLevel:sealed:budget:)`).
    public let cut: Bool
}

extension Replica {
    /// Writes a bundle of what `participant` may read (`Protocol/trust.md`,
    /// "Visibility") and its sites are not believed to hold
    /// (`Protocol/sync.md`): a delta, with this replica's knowledge, so that
    /// the next bundle either way carries only what is missing.
    ///
    /// - Parameters:
    ///   - full: carry everything the participant may read, whatever it is
    ///     believed to hold.
    ///   - sealed: seal the body to the participant's sites, so that only
    ///     they open it (`Protocol/bundle.md`, "Sealed bodies"); false writes
    ///     a plain bundle (`--plain`, and HTTP, where TLS covers transit).
    ///   - site: the one site of `participant` the bundle is for, when known
    ///     (the hub a laptop syncs with, the laptop a hub answers): the plan
    ///     then covers that site alone, rather than the least advanced of the
    ///     participant's sites.
    ///   - budget: at most this many bytes of changes (as stored, before
    ///     compression), the oldest first: a push to a hub that takes bodies
    ///     of a limited size, the rest left for the next (``PeerBundle/cut``).
    /// - Throws: ``ReplicaError`` when the bundle is to be sealed and no site
    ///   of `participant` can open it; nothing is then believed sent.
    public func createBundle(for participant: ParticipantCode, site: SiteID? = nil, full: Bool = false, compressionLevel: Int32 = 6,
                             sealed: Bool = true, budget: Int? = nil) throws -> PeerBundle {
        let recipient = participant.rawValue
        let (commits, stamp, message, isFull, sites, cut) = try store.write { writer in
            let stamp = try self.stamp(writer, sealedFor: sealed ? participant : nil)
            let created = stamp.created
            let trust = try writer.trustState()
            let root = try writer.reader.root()
            // The sites of the participant this replica knows: those it believes
            // something of and those whose certificate it holds, less those it
            // knows revoked or expired. (A site whose certificate it does not hold
            // sent a summary whose header certificate it checked.) A site it
            // believes nothing of makes this bundle carry everything; the belief
            // kept from it makes the next one a delta.
            let certified = trust.certificates.compactMap { site, certificates in
                certificates.contains { $0.participant == recipient } ? site : nil
            }
            let known: Set<SiteID> = if let site { [site] } else { Set(try writer.reader.peerSites(of: recipient)).union(certified) }
            let sites = known.filter { site in
                guard let root, trust.certificates[site]?.isEmpty == false else { return true }
                return (try? trust.certificate(for: site, at: created, root: root).get()) != nil
            }.filter { $0 != siteID }
            let loaded = try writer.reader.syncSession(site: siteID, participant: identity.participant, peers: Set(sites))
            var session = loaded
            let covered = site == nil ? session.sitesToCatchUp(of: recipient, among: Array(sites)) : Array(sites)
            let plan = session.plan(for: recipient, sites: covered, full: full)
            let selection = try writer.reader.select(plan, budget: budget)
            var holdings = try Self.holdings(carrying: selection.points, own: session.own, writer: writer)
            holdings.taken = try writer.reader.newestTaken(from: plan.sites)
            holdings.cutoff = selection.cutoff
            var message = session.message(for: plan, holdings: holdings)
            try fingerprint(&message, session: session, holdings: holdings, reader: writer.reader)
            session.sent(message, for: plan, holdings: holdings, created: created, points: selection.points, trust: selection.trust)
            try writer.save(session, loaded: loaded)
            return (try writer.reader.exportCommits(selection: selection.hashes), stamp, message, plan.isFull, plan.sites, selection.cutoff != nil)
        }
        let bytes = try encode(commits, stamp: stamp, sync: message, level: compressionLevel)
        return PeerBundle(bytes: bytes, changeCount: commits.reduce(0) { $0 + $1.leaves.count }, recipient: participant, isFull: isFull,
                          sealedFor: stamp.recipients, sites: sites, cut: cut)
    }

    /// What the store finds for a bundle's message: extras above `own`, wants,
    /// each site's participant, pending changes and the trust heads.
    static func holdings(carrying carried: [SitePoint], own: Frontier, writer: StoreWriter) throws -> DeltaHoldings {
        DeltaHoldings(
            carried: carried,
            extras: try writer.reader.points(above: own, limit: SyncMessage.listLimit),
            wants: try writer.reader.missingDependencies(limit: SyncMessage.listLimit),
            participants: try writer.reader.siteParticipants(), earliestPending: try writer.reader.earliestPending(),
            trustHeads: try writer.reader.trustRecordID().map { try writer.reader.heads(of: $0) } ?? [])
    }

    /// The message of a bundle of everything this replica holds.
    func knowledgeOfEverything(writer: StoreWriter) throws -> SyncMessage {
        let session = try writer.reader.syncSession(site: siteID, participant: identity.participant, peers: [])
        let holdings = try Self.holdings(carrying: [], own: session.own, writer: writer)
        var message = session.messageForEverything(holdings: holdings)
        try fingerprint(&message, session: session, holdings: holdings, reader: writer.reader)
        return message
    }

    /// Adds to `message` what this replica holds of each site whose claim
    /// the recipient checks (``SyncSession/fingerprintedSites(of:holdings:)``).
    func fingerprint(_ message: inout SyncMessage, session: SyncSession, holdings: DeltaHoldings, reader: StoreReader) throws {
        for (site, time) in session.fingerprintedSites(of: message, holdings: holdings) {
            message.fingerprints[site] = try reader.fingerprint(of: site, upTo: time)
        }
    }

    /// How many changes `participant` may read of this replica: the size a
    /// full bundle for it would have.
    public func readableChangeCount(for participant: ParticipantCode) throws -> Int {
        try read { reader in try reader.changes(visibleIn: reader.visibility(for: participant.rawValue)).count }
    }

    /// The changes of a bundle about to be applied that contradict what this
    /// replica believed: those of its own site that it did not make, and
    /// those of other sites whose every change it reads (its participant's;
    /// any, on the secretariat's) that it believed it held every change of
    /// up to their times. Found before the bundle is applied, from what is
    /// held then.
    struct Arrivals {
        /// The times of changes of this replica's own site it did not make.
        var foreignOwn: [HybridTimestamp] = []
        /// The points of changes that arrived below this replica's frontier.
        var late: [SitePoint] = []
    }

    /// What of `bundle` contradicts this replica's beliefs (``Arrivals``).
    func arrivals(in bundle: Bundle, reader: StoreReader) throws -> Arrivals {
        let frontier = try reader.savedFrontier()
        let mine = SiteTag(siteID)
        var arrivals = Arrivals()
        for commit in bundle.commits {
            for leaf in commit.leaves {
                let change = leaf.change.change
                let point = SitePoint(site: SiteTag(change.site), timestamp: change.timestamp)
                let own = change.site == siteID
                // Below the frontier of a site it reads only in part, a change
                // may arrive as newly readable (an acceptance): not late.
                let readsAll = identity.participant == ParticipantCode.secretariat.rawValue || change.participant == identity.participant
                guard own || (point.site != mine && readsAll && frontier.covers(point)) else { continue }
                guard try !reader.holds(leaf.change.hash) else { continue }
                if own { arrivals.foreignOwn.append(change.timestamp) } else { arrivals.late.append(point) }
            }
        }
        return arrivals
    }

    /// Takes what a bundle applied in this transaction says about knowledge:
    /// what its sender holds, and, when the bundle's basis holds here, the
    /// times it vouches for as this replica's own; claims whose fingerprints
    /// differ from what is held here are not believed. Changes that arrived
    /// below this replica's frontier lower it and every belief that covered
    /// them, so that they travel on.
    ///
    /// - Returns: the proof that this replica's site is in use elsewhere,
    ///   when this bundle brought it first.
    func learn(from bundle: Bundle, arrivals: Arrivals, through: String, writer: StoreWriter) throws -> CopyNotice? {
        let sender = bundle.header.sender.siteID
        let mine = SiteTag(siteID)
        let loaded = try writer.reader.syncSession(site: siteID, participant: identity.participant,
                                                   peers: arrivals.late.isEmpty ? [sender] : nil)
        var session = loaded
        session.arrivedLate(arrivals.late)
        var disputedOwn = false
        if let message = bundle.sync {
            let carried = bundle.commits.flatMap { commit in
                commit.leaves.map { SitePoint(site: SiteTag($0.change.change.site), timestamp: $0.change.change.timestamp) }
            }
            var lookupError: (any Error)?
            let received = session.received(
                message, from: sender, participant: bundle.header.senderParticipant, created: bundle.header.created,
                carried: Array(Set(carried)),
                adopted: { created in
                    do { return try writer.reader.tookKnowledge(from: sender, created: created) } catch {
                        lookupError = error
                        return false
                    }
                },
                fingerprint: { site, time in
                    do { return try writer.reader.fingerprint(of: site, upTo: time) } catch {
                        lookupError = error
                        return SiteFingerprint(time: time)
                    }
                })
            if let lookupError { throw lookupError }
            if received.lesson == .senderAndOwn { try writer.markKnowledgeTaken(bundle: bundle.checksum) }
            if !received.disputed.isEmpty {
                logger.notice("claims not believed", metadata: [
                    "sender": "\(sender.short)", "sites": "\(received.disputed.map(\.description).sorted().joined(separator: ","))",
                ])
            }
            disputedOwn = received.disputed.contains(mine)
        }
        try writer.save(session, loaded: loaded)
        guard !arrivals.foreignOwn.isEmpty || disputedOwn else { return nil }
        let now = HybridTimestamp(milliseconds: clock.nowMilliseconds(), counter: 0)
        let notice = CopyNotice(since: arrivals.foreignOwn.min() ?? bundle.header.created, detected: now, through: through)
        return try writer.note(notice) ? notice : nil
    }
}

/// What this replica believes one participant's sites lack of what it may read here.
public struct PeerLack: Sendable {
    /// The participant.
    public let participant: String
    /// Its sites this replica knows something of.
    public let sites: [SiteID]
    /// How many changes the next bundle for it would carry, when counted.
    public let lacking: Int?
    /// Bundles sent to its sites since the newest summary heard from them.
    public let unanswered: Int
    /// When the newest summary from one of its sites was made; nil when none came yet.
    public let lastHeard: HybridTimestamp?
}

extension Replica {
    /// How many changes the next bundle for `site` alone, a site of
    /// `participant`, would carry: what that site is believed to lack.
    public func lacking(site: SiteID, of participant: ParticipantCode) throws -> Int {
        try read { reader in
            let session = try reader.syncSession(site: siteID, participant: identity.participant, peers: [site])
            return try reader.select(session.plan(for: participant.rawValue, sites: [site])).hashes.count
        }
    }

    /// For each participant whose sites this replica knows something of, what
    /// they are believed to lack: the size of the next bundle for it, counted
    /// for the participants `counting` names (every one when nil). Counting
    /// judges what the participant may read of every change it is not
    /// believed to hold, so a hub counts for the peers asked about.
    public func peerLacks(counting: Set<String>? = nil) throws -> [PeerLack] {
        try read { reader in
            let session = try reader.syncSession(site: siteID, participant: identity.participant)
            let byParticipant = Dictionary(grouping: session.peers.values, by: \.participant)
            return try byParticipant.keys.sorted().map { participant in
                let beliefs = byParticipant[participant]!
                let sites = beliefs.map(\.site).sorted()
                let lacking = try counting.map { $0.contains(participant) } ?? true
                    ? reader.select(session.plan(for: participant, sites: sites)).hashes.count : nil
                return PeerLack(participant: participant, sites: sites, lacking: lacking,
                                unanswered: beliefs.map(\.sent.count).max() ?? 0, lastHeard: beliefs.compactMap(\.heardAt).max())
            }
        }
    }
}
