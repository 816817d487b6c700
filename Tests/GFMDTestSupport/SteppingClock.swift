public import GFMDReplica
import Synchronization

/// A wall clock for tests: starts at a fixed time and advances by a fixed step
/// each time it is read, so every run of a test sees the same times.
public final class SteppingClock: WallClock, @unchecked Sendable {
    private let now: Mutex<UInt64>
    private let step: UInt64

    /// Starts at `start` milliseconds since the epoch (2026-11-26 by default),
    /// advancing `step` milliseconds per reading.
    public init(start: UInt64 = 1_795_000_000_000, step: UInt64 = 1) {
        now = Mutex(start)
        self.step = step
    }

    public func nowMilliseconds() -> UInt64 {
        now.withLock { value in
            defer { value += step }
            return value
        }
    }

    /// Jumps the clock by `milliseconds`.
    public func advance(by milliseconds: UInt64) {
        now.withLock { $0 += milliseconds }
    }
}
