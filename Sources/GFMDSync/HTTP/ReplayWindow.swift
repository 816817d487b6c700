public import GFMDCore

/// The hub's memory of the signed requests it accepted recently, so that each
/// is accepted once (`Protocol/http.md`, "Replays and clock skew").
///
/// A request is admitted only when its time lies within ``skew`` of the
/// hub's clock and its site has not used its nonce within that window.
/// Nonces older than the window are forgotten: a replay of such a request
/// is refused for its time. The hub keeps the nonces it admitted in its
/// replica too, and starts with those of the last window
/// (``remember(site:nonce:at:)``), so that a restart admits no replay.
public struct ReplayWindow: Sendable {
    /// The clock skew accepted either way, in milliseconds: five minutes.
    public static let defaultSkew: UInt64 = 5 * 60 * 1000

    /// The skew accepted either way, in milliseconds.
    public let skew: UInt64
    /// How many nonces the window holds at most; beyond, requests wait (busy).
    public let capacity: Int
    private var seen: [Seen: UInt64] = [:]
    private var prunedAt: UInt64 = 0

    private struct Seen: Hashable {
        let site: SiteID
        let nonce: [UInt8]
    }

    /// Creates an empty window.
    public init(skew: UInt64 = Self.defaultSkew, capacity: Int = 1_000_000) {
        self.skew = skew
        self.capacity = capacity
    }

    /// How many nonces the window remembers.
    public var count: Int { seen.count }

    /// Checks a request's time against the hub's clock (`now`, milliseconds).
    public func checkTime(_ milliseconds: UInt64, now: UInt64) -> Result<Void, HubRefusal> {
        let drift = milliseconds > now ? milliseconds - now : now - milliseconds
        guard drift <= skew else {
            let direction = milliseconds > now ? "ahead of" : "behind"
            return .failure(.clockSkew(
                "the request was signed at \(CivilTime(milliseconds: milliseconds).iso8601), \(drift / 1000) s \(direction) the hub's clock (\(CivilTime(milliseconds: now).iso8601)); the hub accepts \(skew / 1000) s either way: set this computer's clock"))
        }
        return .success(())
    }

    /// Admits a request of `site` with `nonce` signed at `milliseconds`,
    /// remembering its nonce, or says why not.
    public mutating func admit(site: SiteID, nonce: [UInt8], at milliseconds: UInt64, now: UInt64) -> Result<Void, HubRefusal> {
        if case .failure(let refusal) = checkTime(milliseconds, now: now) { return .failure(refusal) }
        prune(now: now)
        let key = Seen(site: site, nonce: nonce)
        guard seen[key] == nil else { return .failure(.replayed) }
        guard seen.count < capacity else { return .failure(.busy(retryAfter: 1)) }
        seen[key] = milliseconds
        return .success(())
    }

    /// Remembers a nonce admitted before (by this hub before a restart),
    /// so that the request using it is refused as a replay.
    public mutating func remember(site: SiteID, nonce: [UInt8], at milliseconds: UInt64) {
        seen[Seen(site: site, nonce: nonce)] = milliseconds
    }

    /// Forgets nonces whose requests would now be refused for their time,
    /// at most once per tenth of the window.
    private mutating func prune(now: UInt64) {
        guard now >= prunedAt + skew / 10 || seen.count >= capacity else { return }
        prunedAt = now
        let oldest = now > skew ? now - skew : 0
        seen = seen.filter { $0.value >= oldest }
    }
}
