/// A hybrid logical clock (Kulkarni et al., 2014) for one site.
///
/// Issues timestamps that never go backwards on this site, that exceed every
/// timestamp the site has observed from others, and that stay within the
/// counter's range of the wall clock. The wall clock is passed in on each call:
/// the core never reads it.
public struct HybridLogicalClock: Sendable, Hashable {
    /// The latest timestamp issued or observed.
    public private(set) var latest: HybridTimestamp

    /// How far ahead of this site's wall clock an observed timestamp may be and
    /// still move the clock forward: further than that, a peer's clock is wrong
    /// and following it would date every later local edit in the future.
    public static let maximumForwardDrift: UInt64 = 24 * 3600 * 1000

    /// Resumes a clock from the latest timestamp it issued or observed.
    public init(latest: HybridTimestamp = .zero) {
        self.latest = latest
    }

    /// Issues a timestamp for a local event at wall-clock time `wallMilliseconds`.
    public mutating func tick(wallMilliseconds: UInt64) -> HybridTimestamp {
        let wall = min(wallMilliseconds, (1 << 48) - 1)
        if wall > latest.milliseconds {
            latest = HybridTimestamp(milliseconds: wall, counter: 0)
        } else if latest.counter == UInt16.max {
            latest = HybridTimestamp(milliseconds: latest.milliseconds + 1, counter: 0)
        } else {
            latest = HybridTimestamp(rawValue: latest.rawValue + 1)
        }
        return latest
    }

    /// Takes note of a timestamp received from another site, so that the next
    /// local timestamp is later. Timestamps further ahead of the wall clock than
    /// ``maximumForwardDrift`` are ignored.
    public mutating func observe(_ remote: HybridTimestamp, wallMilliseconds: UInt64) {
        guard remote > latest, remote.milliseconds <= wallMilliseconds + Self.maximumForwardDrift else { return }
        latest = remote
    }
}
