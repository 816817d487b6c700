/// What `gfmd sync URL` does next: the client's side of an exchange with the
/// hub as a pure state machine (`Protocol/http.md`, "One sync").
///
/// Each round pushes a bundle of what the hub is believed to lack and applies
/// the hub's answer: what this replica may read and lacks. The sync is done
/// when, after an answer, the hub is believed to lack nothing (the answer
/// says what it holds, so a push lost on the way is sent again in the next
/// round), unless changes received wait for others: the next push asks for
/// those, as long as answers bring something new. A round that fails for a passing reason (no connection, a
/// timeout, the hub busy or restarting) is tried again after a wait; a
/// refusal (4xx) ends the sync.
public struct HubSyncRounds: Sendable {
    /// What to do next.
    public enum Action: Hashable, Sendable {
        /// Push a bundle and apply the answer; `round` counts from 1.
        case push(round: Int)
        /// Wait, then push again.
        case wait(seconds: Int)
        /// In sync.
        case done
        /// Give up, saying why.
        case fail(String)
    }

    /// How many rounds a sync makes at most.
    public let maxRounds: Int
    /// How many times in a row a round is tried.
    public let maxAttempts: Int
    /// Rounds answered so far.
    public private(set) var rounds = 0
    /// Changes pushed in answered rounds.
    public private(set) var sent = 0
    /// Changes received that this replica did not hold.
    public private(set) var received = 0
    private var attempts = 0

    /// A sync not yet started.
    public init(maxRounds: Int = 8, maxAttempts: Int = 6) {
        self.maxRounds = maxRounds
        self.maxAttempts = maxAttempts
    }

    /// The first action.
    public var first: Action { .push(round: 1) }

    /// A round was answered: `pushed` changes went up, `new` arrived, the
    /// hub is now believed to lack `hubLacks` changes, and `waiting` changes
    /// held here wait for others not received yet.
    public mutating func answered(pushed: Int, new: Int, hubLacks: Int, waiting: Int) -> Action {
        rounds += 1
        attempts = 0
        sent += pushed
        received += new
        if hubLacks == 0 && (waiting == 0 || new == 0) { return .done }
        guard rounds < maxRounds else {
            let what = hubLacks > 0 ? "the hub still lacks \(hubLacks) change\(hubLacks == 1 ? "" : "s")" : "\(waiting) changes still wait for others"
            return .fail("\(what) after \(rounds) rounds; run gfmd sync again")
        }
        return .push(round: rounds + 1)
    }

    /// A round failed: `retryAfter` is the hub's `Retry-After` when it gave
    /// one; `passing` says whether trying again may succeed.
    public mutating func failed(_ reason: String, passing: Bool, retryAfter: Int? = nil) -> Action {
        guard passing else { return .fail(reason) }
        attempts += 1
        guard attempts < maxAttempts else { return .fail("\(reason) (tried \(attempts) times)") }
        // 1, 2, 4, 8 … seconds, or what the hub asked for, at most a minute.
        return .wait(seconds: min(60, retryAfter ?? (1 << (attempts - 1))))
    }

    /// The round the next push makes.
    public var nextRound: Int { rounds + 1 }
}
