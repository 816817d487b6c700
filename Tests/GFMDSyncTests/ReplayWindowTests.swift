import GFMDCore
import GFMDSync
import Testing

@Suite("The hub's replay window")
struct ReplayWindowTests {
    let site = SiteID(words: (3, 3))
    let now: UInt64 = 1_800_000_000_000

    func refusal(_ verdict: Result<Void, HubRefusal>) -> HubRefusal? {
        guard case .failure(let refusal) = verdict else { return nil }
        return refusal
    }

    @Test("a nonce is admitted once within the window, and a time outside it is refused either way")
    func once() {
        var window = ReplayWindow(skew: 300_000)
        let nonce = [UInt8](repeating: 1, count: 16)
        #expect((try? window.admit(site: site, nonce: nonce, at: now, now: now).get()) != nil)
        #expect(refusal(window.admit(site: site, nonce: nonce, at: now, now: now + 1)) == .replayed)
        let other = SiteID(words: (4, 4))
        #expect((try? window.admit(site: other, nonce: nonce, at: now, now: now + 2).get()) != nil, "nonces are per site")
        for time in [now - 300_001, now + 300_001] {
            guard case .failure(let refusal) = window.admit(site: site, nonce: [9], at: time, now: now) else {
                Issue.record("admitted a request \(Int64(time) - Int64(now)) ms off")
                continue
            }
            #expect(refusal.code == "clock_skew" && refusal.status == 401 && refusal.message.contains("300 s"))
        }
        #expect((try? window.admit(site: site, nonce: [8], at: now - 300_000, now: now).get()) != nil, "the bound is inclusive")
    }

    @Test("nonces are forgotten once their time is outside the window, so memory stays bounded; beyond capacity the hub is busy")
    func bounded() {
        var window = ReplayWindow(skew: 1_000, capacity: 50)
        for index in 0..<40 {
            #expect((try? window.admit(site: site, nonce: [UInt8(index)], at: now, now: now).get()) != nil)
        }
        #expect(window.count == 40)
        // Later, the old nonces would be refused for their time anyway: they are dropped.
        #expect((try? window.admit(site: site, nonce: [200], at: now + 5_000, now: now + 5_000).get()) != nil)
        #expect(window.count == 1)
        for index in 0..<49 { _ = window.admit(site: site, nonce: [UInt8(index)], at: now + 5_000, now: now + 5_000) }
        #expect(refusal(window.admit(site: site, nonce: [250], at: now + 5_000, now: now + 5_000)) == .busy(retryAfter: 1))
    }
}
