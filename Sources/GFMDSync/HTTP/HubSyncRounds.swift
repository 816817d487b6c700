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
        case wait(milliseconds: Int)
        /// In sync.
        case done
        /// Give up, saying why.
        case fail(String)
    }

    /// How many rounds a sync makes at most.
    public let maxRounds: Int
    /// How many times in a row a round is tried when the hub cannot be
    /// reached (no connection, a timeout, a proxy's error): enough for a hub
    /// restarting, not so many that a wrong address keeps the user waiting.
    public let maxAttempts: Int
    /// How long, in milliseconds, a round may wait in all while the hub
    /// answers that it is busy (503): minutes, so that a laptop in a room of
    /// a thousand finishes, its turn coming.
    public let patience: Int
    /// Rounds answered so far.
    public private(set) var rounds = 0
    /// Changes pushed in answered rounds.
    public private(set) var sent = 0
    /// Changes received that this replica did not hold.
    public private(set) var received = 0
    private var attempts = 0
    private var waited = 0

    /// A sync not yet started.
    public init(maxRounds: Int = 8, maxAttempts: Int = 6, patience: Int = 600_000) {
        self.maxRounds = maxRounds
        self.maxAttempts = maxAttempts
        self.patience = patience
    }

    /// The most bytes of changes a push may carry, once the hub said the
    /// largest body it takes (nil until then: everything the hub lacks).
    public private(set) var budget: Int?

    /// The first action.
    public var first: Action { .push(round: 1) }

    /// The hub refused a push of `pushed` changes as larger than its `limit`
    /// (bytes): the same round is pushed again carrying the oldest of the
    /// changes that fit in nine tenths of it (a bundle's framing and
    /// signatures take the rest), or in half the budget tried last, the
    /// others left for the next rounds.
    public mutating func tooLarge(limit: Int, pushed: Int) -> Action {
        let budget = min(limit / 10 * 9, (self.budget ?? .max) / 2)
        guard pushed > 1, budget > 0 else {
            return .fail("a change is larger than the hub takes (\(limit) bytes in one request): ask the secretariat to raise the hub's --body-limit")
        }
        self.budget = budget
        return .push(round: rounds + 1)
    }

    /// A round was answered: `pushed` changes went up, `new` arrived, the
    /// hub is now believed to lack `hubLacks` changes, and `waiting` changes
    /// held here wait for others not received yet. `cut`: the push carried
    /// only the part of what the hub lacks that fit the ``budget``; such
    /// rounds go on past ``maxRounds`` while each carries something.
    public mutating func answered(pushed: Int, new: Int, hubLacks: Int, waiting: Int, cut: Bool = false) -> Action {
        rounds += 1
        attempts = 0
        waited = 0
        sent += pushed
        received += new
        if hubLacks == 0 && (waiting == 0 || new == 0) { return .done }
        if cut && pushed > 0 { return .push(round: rounds + 1) }
        guard rounds < maxRounds else {
            let what = hubLacks > 0 ? "the hub still lacks \(hubLacks) change\(hubLacks == 1 ? "" : "s")" : "\(waiting) changes still wait for others"
            return .fail("\(what) after \(rounds) rounds; run gfmd sync again")
        }
        return .push(round: rounds + 1)
    }

    /// A round failed. `passing` says whether trying again may succeed;
    /// `busy` that the hub answered it is busy (503), with its `Retry-After`
    /// in seconds when it gave one; `jitter`, in [0, 1), spreads the waits
    /// of laptops that failed together so that they do not return together.
    ///
    /// Waits double from 1 s up to a minute, each drawn between half and
    /// all of its bound, and never shorter than the hub asked. A busy hub is
    /// tried until `patience` is spent; an unreachable one `maxAttempts` times.
    public mutating func failed(_ reason: String, passing: Bool, busy: Bool = false, retryAfter: Int? = nil, jitter: Double = 0) -> Action {
        guard passing else { return .fail(reason) }
        attempts += 1
        let bound = 1000 << min(attempts - 1, 6)
        let wait = max(min(60_000, bound / 2 + Int(Double(bound / 2) * min(max(jitter, 0), 1))), (retryAfter ?? 0) * 1000)
        if busy {
            guard waited + wait <= patience else {
                return .fail("\(reason): still busy after \(attempts) tries over \(Self.minutes(waited)); run gfmd sync again later")
            }
        } else {
            guard attempts < maxAttempts else { return .fail("\(reason) (tried \(attempts) times)") }
        }
        waited += wait
        return .wait(milliseconds: wait)
    }

    /// What is left of the patience for a busy hub, in milliseconds.
    public var patienceLeft: Int { patience - waited }

    private static func minutes(_ milliseconds: Int) -> String {
        milliseconds < 120_000 ? "\(milliseconds / 1000) s" : "\(milliseconds / 60_000) min"
    }

    /// The round the next push makes.
    public var nextRound: Int { rounds + 1 }
}
