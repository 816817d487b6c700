import GFMDCore
import GFMDSync
import Testing

@Suite("Sync messages and frontiers")
struct SyncMessageTests {
    static func randomFrontier(_ random: inout SystemRandomNumberGenerator, sites: Int) -> Frontier {
        var frontier = Frontier()
        for _ in 0..<sites { frontier[SiteTag(rawValue: random.next() % 8)] = HybridTimestamp(rawValue: random.next() % 1_000) }
        return frontier
    }

    @Test("join and meet are commutative, associative and idempotent, and meet is below join")
    func lattice() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let a = Self.randomFrontier(&random, sites: 5), b = Self.randomFrontier(&random, sites: 5), c = Self.randomFrontier(&random, sites: 5)
            func join(_ x: Frontier, _ y: Frontier) -> Frontier { var z = x; z.formJoin(y); return z }
            #expect(join(a, b) == join(b, a) && join(join(a, b), c) == join(a, join(b, c)) && join(a, a) == a)
            #expect(Frontier.meet([a, b]) == Frontier.meet([b, a]) && Frontier.meet([a, a]) == a)
            #expect(Frontier.meet([Frontier.meet([a, b]), c]) == Frontier.meet([a, Frontier.meet([b, c])]))
            for (site, time) in Frontier.meet([a, b]).entries { #expect(time <= join(a, b)[site]) }
        }
    }

    @Test("messages survive encoding; 1,000 sites take about 15 bytes each")
    func encoding() throws {
        var random = SystemRandomNumberGenerator()
        let created = HybridTimestamp(milliseconds: 1_800_000_000_000, counter: 0)
        var holds = Frontier()
        for _ in 0..<1_000 {
            holds[SiteTag(rawValue: random.next())] = HybridTimestamp(rawValue: created.rawValue - (random.next() % (30 * 86_400_000 << 16)))
        }
        let message = SyncMessage(recipient: "PHL", holds: holds, vouched: Set(holds.sites.prefix(300)),
                                  extras: [SitePoint(site: holds.sites[0], timestamp: created)], wants: [Hash256.of([1])],
                                  basis: .sent([holds.sites[1]: [created], holds.sites[2]: []]))
        let bytes = message.encoded(relativeTo: created)
        #expect(try SyncMessage(decoding: bytes[...], relativeTo: created) == message)
        #expect(bytes.count < 16_000, "\(bytes.count) bytes")
    }

    @Test("a frontier time after the bundle is written as the bundle's time, which claims less")
    func clockAhead() throws {
        let created = HybridTimestamp(milliseconds: 1_000, counter: 0)
        let ahead = SyncMessage(recipient: "SEC", holds: Frontier([SiteTag(rawValue: 1): HybridTimestamp(milliseconds: 5_000, counter: 0)]),
                                extras: [SitePoint(site: SiteTag(rawValue: 1), timestamp: HybridTimestamp(milliseconds: 9_000, counter: 0))])
        let read = try SyncMessage(decoding: ahead.encoded(relativeTo: created)[...], relativeTo: created)
        #expect(read.holds[SiteTag(rawValue: 1)] == created && read.extras.isEmpty)
    }
}
