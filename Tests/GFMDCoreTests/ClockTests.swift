import GFMDCore
import Testing

@Suite("Hybrid logical clock")
struct ClockTests {
    @Test("timestamps never go backwards, even when the wall clock does")
    func monotonic() {
        var clock = HybridLogicalClock()
        let first = clock.tick(wallMilliseconds: 1000)
        let second = clock.tick(wallMilliseconds: 900)
        let third = clock.tick(wallMilliseconds: 1000)
        #expect(first < second && second < third)
        #expect(second.milliseconds == 1000 && second.counter == 1)
    }

    @Test("an observed timestamp moves the clock past it")
    func observe() {
        var clock = HybridLogicalClock()
        clock.observe(HybridTimestamp(milliseconds: 5000, counter: 7), wallMilliseconds: 4000)
        #expect(clock.tick(wallMilliseconds: 4000) == HybridTimestamp(milliseconds: 5000, counter: 8))
    }

    @Test("a timestamp far in the future is not followed")
    func driftCap() {
        var clock = HybridLogicalClock()
        let wall: UInt64 = 1_000_000
        clock.observe(HybridTimestamp(milliseconds: wall + HybridLogicalClock.maximumForwardDrift + 1, counter: 0), wallMilliseconds: wall)
        #expect(clock.tick(wallMilliseconds: wall).milliseconds == wall)
    }

    @Test("timestamps print and parse as UTC")
    func civilTime() {
        let stamp = HybridTimestamp(milliseconds: 1_795_000_000_123, counter: 0)
        #expect(stamp.iso8601 == "2026-11-18T11:06:40.123Z")
        #expect(CivilTime.parseMilliseconds("2026-11-18T11:06:40Z") == 1_795_000_000_000)
        #expect(CivilTime.parseMilliseconds("2024-02-29") == 1_709_164_800_000)
        #expect(CivilTime.parseMilliseconds("2023-02-29") == nil)
        #expect(CivilTime.parseMilliseconds("2026-13-01") == nil)
        #expect(CivilTime.parseMilliseconds("yesterday") == nil)
    }
}
