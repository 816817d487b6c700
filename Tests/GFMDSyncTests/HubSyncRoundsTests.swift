import GFMDSync
import Testing

@Suite("The client's rounds of a sync with the hub")
struct HubSyncRoundsTests {
    @Test("one round is enough when the answer shows the hub lacks nothing")
    func oneRound() {
        var rounds = HubSyncRounds()
        #expect(rounds.first == .push(round: 1))
        #expect(rounds.answered(pushed: 20, new: 3, hubLacks: 0, waiting: 0) == .done)
        #expect(rounds.rounds == 1 && rounds.sent == 20 && rounds.received == 3)
    }

    @Test("a push lost on the way shows in the answer, and the next round sends it")
    func lostPush() {
        var rounds = HubSyncRounds()
        #expect(rounds.answered(pushed: 0, new: 0, hubLacks: 12, waiting: 0) == .push(round: 2))
        #expect(rounds.answered(pushed: 12, new: 0, hubLacks: 0, waiting: 0) == .done)
        #expect(rounds.sent == 12)
    }

    @Test("changes that wait for others ask again while answers bring something new")
    func waiting() {
        var rounds = HubSyncRounds()
        #expect(rounds.answered(pushed: 0, new: 5, hubLacks: 0, waiting: 2) == .push(round: 2))
        #expect(rounds.answered(pushed: 0, new: 0, hubLacks: 0, waiting: 2) == .done, "nothing new: the hub cannot serve them")
    }

    @Test("rounds are bounded, and say what is left")
    func bounded() {
        var rounds = HubSyncRounds(maxRounds: 3)
        _ = rounds.answered(pushed: 1, new: 0, hubLacks: 4, waiting: 0)
        _ = rounds.answered(pushed: 1, new: 0, hubLacks: 4, waiting: 0)
        guard case .fail(let reason) = rounds.answered(pushed: 1, new: 0, hubLacks: 4, waiting: 0) else {
            Issue.record("a third round without progress must end the sync")
            return
        }
        #expect(reason.contains("lacks 4 changes after 3 rounds"))
    }

    @Test("passing failures wait and retry, doubling with jitter up to what the hub asks; refusals end the sync; an answer resets the count")
    func failures() {
        var rounds = HubSyncRounds(maxAttempts: 4)
        #expect(rounds.failed("no connection", passing: true) == .wait(milliseconds: 500))
        #expect(rounds.failed("no connection", passing: true, jitter: 0.999) == .wait(milliseconds: 1999))
        #expect(rounds.failed("busy", passing: true, retryAfter: 7, jitter: 0.5) == .wait(milliseconds: 7000), "never shorter than the hub asks")
        #expect(rounds.failed("no connection", passing: true) == .fail("no connection (tried 4 times)"))
        var again = HubSyncRounds(maxAttempts: 2)
        #expect(again.failed("busy", passing: true) == .wait(milliseconds: 500))
        #expect(again.answered(pushed: 0, new: 0, hubLacks: 1, waiting: 0) == .push(round: 2))
        #expect(again.failed("busy", passing: true) == .wait(milliseconds: 500), "attempts count per round")
        #expect(again.failed("revoked", passing: false) == .fail("revoked"))
        #expect(again.nextRound == 2)
    }

    @Test("a busy hub is waited for until the patience is spent, far beyond the tries an unreachable one gets, the waits spread between half and all of a bound that doubles to a minute")
    func busyHub() {
        var rounds = HubSyncRounds(maxAttempts: 3, patience: 600_000)
        var waits: [Int] = []
        var action = rounds.failed("busy", passing: true, busy: true, jitter: 0.25)
        while case .wait(let milliseconds) = action {
            waits.append(milliseconds)
            action = rounds.failed("busy", passing: true, busy: true, jitter: 0.25)
        }
        #expect(waits.count > 10, "minutes of tries, not 3: \(waits)")
        #expect(waits.prefix(4) == [625, 1250, 2500, 5000])
        #expect(waits.allSatisfy { $0 <= 60_000 } && waits.reduce(0, +) <= 600_000)
        guard case .fail(let reason) = action else { Issue.record("gives up in the end"); return }
        #expect(reason.contains("still busy after") && reason.contains("min"), "\(reason)")
        // Laptops failing together wait different times.
        var a = HubSyncRounds(), b = HubSyncRounds()
        #expect(a.failed("busy", passing: true, busy: true, jitter: 0.1) != b.failed("busy", passing: true, busy: true, jitter: 0.9))
    }

    @Test("a push refused as too large is pushed again in parts that fit the hub's limit, round after round past the bound while each carries something")
    func pushInParts() {
        var rounds = HubSyncRounds(maxRounds: 3)
        #expect(rounds.budget == nil)
        #expect(rounds.tooLarge(limit: 8 << 20, pushed: 5000) == .push(round: 1), "the same round again")
        #expect(rounds.budget == (8 << 20) / 10 * 9)
        for round in 1...5 {
            #expect(rounds.answered(pushed: 900, new: 0, hubLacks: 5000 - 900 * round, waiting: 0, cut: true) == .push(round: round + 1))
        }
        #expect(rounds.answered(pushed: 500, new: 3, hubLacks: 0, waiting: 0) == .done)
        #expect(rounds.sent == 5000)

        // One change larger than the limit cannot be cut: the sync says so.
        var single = HubSyncRounds()
        guard case .fail(let reason) = single.tooLarge(limit: 1 << 20, pushed: 1) else { Issue.record("one change cannot be split"); return }
        #expect(reason.contains("--body-limit"))
        // A part still too large (its framing outweighed the tenth kept): half the budget.
        var again = HubSyncRounds()
        _ = again.tooLarge(limit: 1 << 20, pushed: 10)
        #expect(again.tooLarge(limit: 1 << 20, pushed: 6) == .push(round: 1))
        #expect(again.budget == (1 << 20) / 10 * 9 / 2)
    }
}
