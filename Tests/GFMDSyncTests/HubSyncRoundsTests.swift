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

    @Test("passing failures wait and retry, doubling up to what the hub asks; refusals end the sync; an answer resets the count")
    func failures() {
        var rounds = HubSyncRounds(maxAttempts: 4)
        #expect(rounds.failed("no connection", passing: true) == .wait(seconds: 1))
        #expect(rounds.failed("no connection", passing: true) == .wait(seconds: 2))
        #expect(rounds.failed("busy", passing: true, retryAfter: 7) == .wait(seconds: 7))
        #expect(rounds.failed("no connection", passing: true) == .fail("no connection (tried 4 times)"))
        var again = HubSyncRounds(maxAttempts: 2)
        #expect(again.failed("busy", passing: true) == .wait(seconds: 1))
        #expect(again.answered(pushed: 0, new: 0, hubLacks: 1, waiting: 0) == .push(round: 2))
        #expect(again.failed("busy", passing: true) == .wait(seconds: 1), "attempts count per round")
        #expect(again.failed("revoked", passing: false) == .fail("revoked"))
        #expect(again.nextRound == 2)
    }
}
