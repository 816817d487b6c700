import GFMDCore
import GFMDSync
import Testing

/// The sync state machine, with no store: replicas are sets of points, and a
/// bundle is the points a plan selects plus the message.
@Suite("Sync session (pure)")
struct SyncSessionTests {
    /// A replica reduced to what the session needs: its session and the points it holds.
    struct Model {
        var session: SyncSession
        var held: Set<SitePoint>
        var clock: UInt64
        /// Per sender, the newest of its bundles whose knowledge was taken.
        var newestTaken: [SiteTag: HybridTimestamp] = [:]

        init(_ seed: UInt64, participant: String) {
            session = SyncSession(site: SiteID(words: (seed, seed)), participant: participant, own: Frontier(), peers: [])
            held = []
            clock = 1_000
        }

        var tag: SiteTag { SiteTag(session.site) }

        mutating func tick() -> HybridTimestamp {
            clock += 1
            return HybridTimestamp(milliseconds: clock, counter: 0)
        }

        /// Makes one change.
        mutating func edit() -> SitePoint {
            let point = SitePoint(site: tag, timestamp: tick())
            held.insert(point)
            session.madeChanges(upTo: point.timestamp)
            return point
        }

        /// A bundle for `recipient`'s sites `sites`: the points held that the plan carries.
        mutating func bundle(for recipient: String, sites: [SiteID], participants: [SiteTag: String]) -> Bundle {
            let plan = session.plan(for: recipient, sites: sites)
            let carried = held.filter(plan.carries)
            let created = tick()
            var holdings = DeltaHoldings(
                carried: Array(carried), extras: held.filter { !session.own.covers($0) }.sorted(), wants: [], participants: participants)
            holdings.taken = newestTaken.filter { tag, _ in sites.contains { SiteTag($0) == tag } }
            var message = session.message(for: plan, holdings: holdings)
            for (site, time) in session.fingerprintedSites(of: message, holdings: holdings) {
                message.fingerprints[site] = fingerprint(of: site, upTo: time)
            }
            session.sent(message, for: plan, holdings: holdings, created: created, points: Array(carried))
            return Bundle(sender: session.site, participant: session.participant, created: created, points: carried, message: message)
        }

        /// What this model holds of `site` up to `time`, each point standing for one change.
        func fingerprint(of site: SiteTag, upTo time: HybridTimestamp) -> SiteFingerprint {
            var fingerprint = SiteFingerprint(time: time)
            for point in held where point.site == site && point.timestamp <= time {
                fingerprint.add(Hash256.of(Array("\(point.site) \(point.timestamp.rawValue)".utf8)))
            }
            return fingerprint
        }

        /// Applies a bundle; `applied` lists the times of the sender's bundles whose knowledge was taken.
        mutating func apply(_ bundle: Bundle, taken: inout Set<HybridTimestamp>) -> SyncSession.Lesson {
            let late = bundle.points.filter { !held.contains($0) && session.own.covers($0) }
            held.formUnion(bundle.points)
            session.arrivedLate(Array(late))
            clock = max(clock, bundle.created.milliseconds)
            let model = self
            let lesson = session.received(bundle.message, from: bundle.sender, participant: bundle.participant, created: bundle.created,
                                          carried: Array(bundle.points), adopted: { taken.contains($0) },
                                          fingerprint: { model.fingerprint(of: $0, upTo: $1) }).lesson
            if lesson == .senderAndOwn {
                taken.insert(bundle.created)
                newestTaken[SiteTag(bundle.sender)] = max(newestTaken[SiteTag(bundle.sender)] ?? .zero, bundle.created)
            }
            return lesson
        }
    }

    struct Bundle {
        let sender: SiteID
        let participant: String
        let created: HybridTimestamp
        let points: Set<SitePoint>
        let message: SyncMessage
    }

    let everyone: [SiteTag: String] = [:]

    @Test("after one round trip, a bundle carries only what is new; a repeated bundle carries nothing")
    func roundTrip() {
        var sec = Model(1, participant: "SEC"), phl = Model(2, participant: "PHL")
        var secTaken = Set<HybridTimestamp>(), phlTaken = Set<HybridTimestamp>()
        let participants = [sec.tag: "SEC", phl.tag: "PHL"]
        for _ in 0..<5 { _ = sec.edit(); _ = phl.edit() }

        let first = phl.bundle(for: "SEC", sites: [sec.session.site], participants: participants)
        #expect(first.points.count == 5 && first.message.basis == .nothing, "nothing known of SEC: everything")
        #expect(sec.apply(first, taken: &secTaken) == .senderAndOwn)
        let answer = sec.bundle(for: "PHL", sites: [phl.session.site], participants: participants)
        #expect(answer.points.count == 5, "SEC's own five: PHL's came from PHL")
        #expect(phl.apply(answer, taken: &phlTaken) == .senderAndOwn)

        let new = phl.edit()
        let second = phl.bundle(for: "SEC", sites: [sec.session.site], participants: participants)
        #expect(second.points == [new])
        #expect(sec.apply(second, taken: &secTaken) == .senderAndOwn)
        let third = phl.bundle(for: "SEC", sites: [sec.session.site], participants: participants)
        #expect(third.points.isEmpty, "sent optimistically: not again before SEC answers")
    }

    @Test("a lost bundle: the next one is applied but vouches for nothing; the answer makes the sender send it again")
    func lostBundle() {
        var sec = Model(1, participant: "SEC"), phl = Model(2, participant: "PHL")
        var secTaken = Set<HybridTimestamp>(), phlTaken = Set<HybridTimestamp>()
        let participants = [sec.tag: "SEC", phl.tag: "PHL"]
        _ = sec.apply(phl.bundle(for: "SEC", sites: [sec.session.site], participants: participants), taken: &secTaken)
        _ = phl.apply(sec.bundle(for: "PHL", sites: [phl.session.site], participants: participants), taken: &phlTaken)

        let lost = phl.edit()
        _ = phl.bundle(for: "SEC", sites: [sec.session.site], participants: participants)  // never arrives
        let later = phl.edit()
        let next = phl.bundle(for: "SEC", sites: [sec.session.site], participants: participants)
        #expect(next.points == [later])
        #expect(sec.apply(next, taken: &secTaken) == .sender, "it assumed a bundle SEC never applied")
        #expect(!sec.session.own.covers(lost))

        _ = phl.apply(sec.bundle(for: "PHL", sites: [phl.session.site], participants: participants), taken: &phlTaken)
        let healed = phl.bundle(for: "SEC", sites: [sec.session.site], participants: participants)
        #expect(healed.points == [lost], "the lost change, and not the one SEC holds above its frontier")
        #expect(sec.apply(healed, taken: &secTaken) == .senderAndOwn)
        #expect(sec.session.own.covers(later))
    }

    @Test("a summary older than one already taken is ignored; a message for another participant teaches nothing")
    func staleAndMisdirected() {
        var sec = Model(1, participant: "SEC"), phl = Model(2, participant: "PHL"), mex = Model(3, participant: "MEX")
        var taken = Set<HybridTimestamp>()
        let participants = [sec.tag: "SEC", phl.tag: "PHL", mex.tag: "MEX"]
        _ = phl.edit()
        let older = phl.bundle(for: "SEC", sites: [sec.session.site], participants: participants)
        _ = phl.edit()
        let newer = phl.bundle(for: "SEC", sites: [sec.session.site], participants: participants)
        _ = sec.apply(newer, taken: &taken)
        let belief = sec.session.peers[phl.session.site]
        _ = sec.apply(older, taken: &taken)
        #expect(sec.session.peers[phl.session.site] == belief)

        var mexTaken = Set<HybridTimestamp>()
        let forPHL = sec.bundle(for: "PHL", sites: [phl.session.site], participants: participants)
        #expect(mex.apply(forPHL, taken: &mexTaken) == .nothing)
        #expect(mex.session.peers.isEmpty && mex.session.own == Frontier())
    }

    @Test("for a participant that may not read everything, times are cut to changes it reads, and only complete sites are vouched")
    func cutAndVouched() {
        var phl = Model(2, participant: "PHL")
        let sec = SiteTag(rawValue: 1), kenya = SiteTag(rawValue: 4)
        var own = Frontier()
        own[sec] = HybridTimestamp(milliseconds: 500, counter: 0)
        own[kenya] = HybridTimestamp(milliseconds: 900, counter: 0)  // a draft MEX may not read
        own[phl.tag] = HybridTimestamp(milliseconds: 950, counter: 0)
        phl.session = SyncSession(site: phl.session.site, participant: "PHL", own: own, peers: [])
        let mexSite = SiteID(words: (3, 3))
        let plan = phl.session.plan(for: "MEX", sites: [mexSite])
        let readable = SitePoint(site: kenya, timestamp: HybridTimestamp(milliseconds: 400, counter: 0))
        let published = SitePoint(site: phl.tag, timestamp: HybridTimestamp(milliseconds: 700, counter: 0))
        let message = phl.session.message(for: plan, holdings: DeltaHoldings(
            carried: [readable, published], extras: [], wants: [(Hash256.of([1]), "KEN"), (Hash256.of([2]), "MEX")],
            participants: [sec: "SEC", kenya: "KEN", phl.tag: "PHL"]))
        #expect(message.holds[kenya] == readable.timestamp, "cut to the change carried, not the draft after it")
        #expect(message.holds[sec] == .zero, "nothing of SEC carried or believed held: left out")
        #expect(message.holds[phl.tag] == published.timestamp, "PHL's own drafts after it stay unsaid")
        #expect(message.vouched == [phl.tag], "PHL is complete only for its own sites")
        #expect(message.wants == [Hash256.of([2])], "only what a MEX change waits for")
        let forSEC = phl.session.message(for: phl.session.plan(for: "SEC", sites: []), holdings: DeltaHoldings(
            carried: [], extras: [], wants: [(Hash256.of([1]), "KEN")], participants: [sec: "SEC", kenya: "KEN", phl.tag: "PHL"]))
        #expect(forSEC.holds == own, "the secretariat reads everything: the whole frontier")
        #expect(forSEC.wants.count == 1)
    }

    @Test("bundles for a participant cover its least advanced site until that site says what it holds: a file handed to one laptop is carried again for the other")
    func severalSites() {
        var sec = Model(1, participant: "SEC"), laptop1 = Model(2, participant: "PHL"), laptop2 = Model(5, participant: "PHL")
        var taken1 = Set<HybridTimestamp>(), taken2 = Set<HybridTimestamp>(), secTaken = Set<HybridTimestamp>()
        let participants = [sec.tag: "SEC", laptop1.tag: "PHL", laptop2.tag: "PHL"]
        let sites = [laptop1.session.site, laptop2.session.site]
        let first = (0..<3).map { _ in sec.edit() }
        let full = sec.bundle(for: "PHL", sites: sites, participants: participants)
        #expect(full.message.basis == .nothing && full.points.count == 3)
        let again = sec.bundle(for: "PHL", sites: sites, participants: participants)
        #expect(Set(again.points) == Set(first), "handed to one laptop or the other: neither is believed to hold the first file")
        _ = laptop1.apply(full, taken: &taken1)
        _ = sec.apply(laptop1.bundle(for: "SEC", sites: [sec.session.site], participants: participants), taken: &secTaken)
        let newer = sec.edit()
        let delta = sec.bundle(for: "PHL", sites: sites, participants: participants)
        #expect(Set(delta.points) == Set(first + [newer]), "laptop 2 never said it holds the first three")
        #expect(laptop2.apply(delta, taken: &taken2) == .senderAndOwn, "nothing was assumed of laptop 2: it takes the vouches")
        _ = sec.apply(laptop2.bundle(for: "SEC", sites: [sec.session.site], participants: participants), taken: &secTaken)
        let settled = sec.bundle(for: "PHL", sites: sites, participants: participants)
        #expect(settled.points == [newer], "laptop 1 has not said it holds the newest yet; laptop 2 has")
        #expect(sec.bundle(for: "PHL", sites: [laptop2.session.site], participants: participants).points.isEmpty,
                "a bundle for one site is believed applied there")
    }

    @Test("a file for the secretariat catches up the secretariat's site heard from last (its sites share through the hub); one for a delegation, every laptop")
    func sitesToCatchUp() {
        var laptop = Model(2, participant: "PHL"), root = Model(1, participant: "SEC"), hub = Model(3, participant: "SEC")
        var taken = Set<HybridTimestamp>()
        let participants = [root.tag: "SEC", hub.tag: "SEC", laptop.tag: "PHL"]
        let secretariat = [root.session.site, hub.session.site]
        #expect(Set(laptop.session.sitesToCatchUp(of: "SEC", among: secretariat)) == Set(secretariat), "none heard from yet: all of them")
        _ = laptop.apply(root.bundle(for: "PHL", sites: [laptop.session.site], participants: participants), taken: &taken)
        _ = laptop.apply(hub.bundle(for: "PHL", sites: [laptop.session.site], participants: participants), taken: &taken)
        #expect(laptop.session.sitesToCatchUp(of: "SEC", among: secretariat) == [hub.session.site])
        let colleagues = [SiteID(words: (7, 7)), SiteID(words: (8, 8))]
        #expect(laptop.session.sitesToCatchUp(of: "PHL", among: colleagues) == colleagues)
    }

    @Test("a replica folder copied to a second computer: each copy's claims on its site are checked against fingerprints, so the hub and both copies end up holding every change of the site")
    func copiedFolder() {
        var hub = Model(1, participant: "SEC"), laptop = Model(2, participant: "PHL")
        var hubTaken = Set<HybridTimestamp>(), laptopTaken = Set<HybridTimestamp>()
        let site = laptop.tag, participants = [hub.tag: "SEC", laptop.tag: "PHL"]
        _ = laptop.edit()
        _ = hub.apply(laptop.bundle(for: "SEC", sites: [hub.session.site], participants: participants), taken: &hubTaken)
        _ = laptop.apply(hub.bundle(for: "PHL", sites: [laptop.session.site], participants: participants), taken: &laptopTaken)

        var copy = laptop, copyTaken = laptopTaken
        var made: [SitePoint] = []
        for turn in 0..<4 {
            // Interleaved in time, as two officers typing on two computers.
            if turn % 2 == 0 { made.append(laptop.edit()); copy.clock = laptop.clock } else { made.append(copy.edit()); laptop.clock = copy.clock }
        }
        _ = hub.apply(laptop.bundle(for: "SEC", sites: [hub.session.site], participants: participants), taken: &hubTaken)
        let fromCopy = copy.bundle(for: "SEC", sites: [hub.session.site], participants: participants)
        let hubBefore = hub
        _ = hub.apply(fromCopy, taken: &hubTaken)
        #expect(hubBefore.session.own[site] >= made[1].timestamp, "the first copy's claim was believed: nothing contradicted it yet")
        #expect(hub.session.own[site] < made[1].timestamp, "the other copy's change arrived below it: the hub no longer claims it")
        var probe = hubBefore.session
        var heldAfter = hubBefore
        heldAfter.held.formUnion(fromCopy.points)
        let received = probe.received(fromCopy.message, from: fromCopy.sender, participant: "PHL", created: fromCopy.created,
                                      carried: Array(fromCopy.points), adopted: { _ in true },
                                      fingerprint: { heldAfter.fingerprint(of: $0, upTo: $1) })
        #expect(received.disputed == [site], "the copy's claim on its own site does not match what the hub holds")

        // Syncs as over HTTP: each copy pushes, and the hub answers it at once.
        _ = copy.apply(hub.bundle(for: "PHL", sites: [copy.session.site], participants: participants), taken: &copyTaken)
        for _ in 0..<2 {
            _ = hub.apply(laptop.bundle(for: "SEC", sites: [hub.session.site], participants: participants), taken: &hubTaken)
            _ = laptop.apply(hub.bundle(for: "PHL", sites: [laptop.session.site], participants: participants), taken: &laptopTaken)
            _ = hub.apply(copy.bundle(for: "SEC", sites: [hub.session.site], participants: participants), taken: &hubTaken)
            _ = copy.apply(hub.bundle(for: "PHL", sites: [copy.session.site], participants: participants), taken: &copyTaken)
        }
        let all = Set(made)
        #expect(all.isSubset(of: hub.held), "the hub holds every change of both copies")
        #expect(all.isSubset(of: laptop.held), "the first copy holds the other's: missing \(all.subtracting(laptop.held).map(\.timestamp.milliseconds))")
        #expect(all.isSubset(of: copy.held), "the second copy holds the first's: missing \(all.subtracting(copy.held).map(\.timestamp.milliseconds))")
    }

    @Test("changes that arrive below a frontier lower it, and every belief that covered them without naming them")
    func lateArrival() {
        let other = SiteTag(rawValue: 9)
        var own = Frontier()
        own[other] = HybridTimestamp(milliseconds: 500, counter: 0)
        let peer = SiteID(words: (3, 3))
        var session = SyncSession(site: SiteID(words: (1, 1)), participant: "SEC", own: own, peers: [
            PeerKnowledge(site: peer, participant: "PHL", holds: own, extras: []),
        ])
        let late = SitePoint(site: other, timestamp: HybridTimestamp(milliseconds: 300, counter: 0))
        let lowered = session.arrivedLate([late])
        #expect(lowered)
        #expect(session.own[other] == HybridTimestamp(rawValue: late.timestamp.rawValue - 1))
        #expect(session.peers[peer]?.holds(late) == false, "the peer may lack it: the next bundle carries it")
        let again = session.arrivedLate([late])
        #expect(!again, "below the lowered frontier, nothing more to lower")
    }

    @Test("past the unanswered limit, a belief is dropped and the next bundle is full")
    func unanswered() {
        var sec = Model(1, participant: "SEC")
        let phl = SiteID(words: (2, 2))
        _ = sec.edit()
        for _ in 0..<PeerKnowledge.unansweredLimit { _ = sec.bundle(for: "PHL", sites: [phl], participants: [:]) }
        #expect(sec.session.peers[phl]?.sent.count == PeerKnowledge.unansweredLimit)
        _ = sec.bundle(for: "PHL", sites: [phl], participants: [:])
        #expect(sec.session.peers[phl]?.holds == Frontier())
    }

    @Test("a delegation that took the secretariat's bundle says so: the secretariat then believes it holds all it may read up to the secretariat's own times, past drafts the message could not name")
    func takenRestoresUncutTimes() {
        let kenya = SiteTag(rawValue: 4)
        let mexico = SiteID(words: (3, 3))
        let secSite = SiteID(words: (1, 1))
        let draft = HybridTimestamp(milliseconds: 2_000, counter: 0)
        var sec = SyncSession(site: secSite, participant: "SEC", own: Frontier([kenya: draft]), peers: [])
        let holdings = DeltaHoldings(carried: [], extras: [], wants: [], participants: [kenya: "KEN"])
        let plan = sec.plan(for: "MEX", sites: [mexico])
        let created = HybridTimestamp(milliseconds: 3_000, counter: 0)
        let message = sec.message(for: plan, holdings: holdings)
        #expect(message.holds[kenya] == .zero, "a Kenyan draft is not named to MEX")
        sec.sent(message, for: plan, holdings: holdings, created: created, points: [])
        #expect(sec.peers[mexico]?.reach[kenya] == draft && sec.peers[mexico]?.holds[kenya] == .zero, "believed, privately, optimistically")

        // MEX answers, having taken that bundle; its own frontier says nothing of Kenya.
        let answer = SyncMessage(recipient: "SEC", holds: Frontier([SiteTag(mexico): HybridTimestamp(milliseconds: 3_500, counter: 0)]),
                                 taken: [SiteTag(secSite): created])
        _ = sec.received(answer, from: mexico, participant: "MEX", created: HybridTimestamp(milliseconds: 4_000, counter: 0), carried: [], adopted: { _ in false },
                           fingerprint: { SiteFingerprint(time: $1) })
        #expect(sec.peers[mexico]?.reach[kenya] == draft, "it took the bundle: it holds all it may read of Kenya up to then")
        #expect(sec.plan(for: "MEX", sites: [mexico]).since[kenya] == draft)

        // An answer that did not take it (the bundle was lost) drops the belief.
        var lost = sec
        let silent = SyncMessage(recipient: "SEC", holds: answer.holds)
        _ = lost.received(silent, from: mexico, participant: "MEX", created: HybridTimestamp(milliseconds: 5_000, counter: 0), carried: [], adopted: { _ in false },
                           fingerprint: { SiteFingerprint(time: $1) })
        #expect(lost.peers[mexico]?.reach[kenya] == .zero)
    }
}
