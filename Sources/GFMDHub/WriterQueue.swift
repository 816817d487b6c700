import Dispatch
import GFMDSync
import GFMDWeb

/// The hub's one writer: syncs apply and answer one at a time (SQLite takes
/// one writer), while reads go on from the WAL. A bounded number of syncs
/// may wait; beyond it, or after waiting too long, a sync is answered 503
/// with Retry-After rather than letting the hub collapse.
actor WriterQueue {
    private let queue = DispatchQueue(label: "gfmd.hub.writer")
    private let limit: Int
    private let timeout: Duration
    private var waiting = 0

    init(limit: Int, timeout: Duration) {
        self.limit = limit
        self.timeout = timeout
    }

    /// Runs `work` when the writer is free, or refuses with `busy`.
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        guard waiting < limit else { throw HubRefusal.busy(retryAfter: 1) }
        waiting += 1
        defer { waiting -= 1 }
        let queued = ContinuousClock.now
        let timeout = timeout
        return try await BlockingWork.run(on: queue) {
            // A sync that waited past the timeout is dropped: its client has
            // likely given up, and retries with a fresh request.
            guard ContinuousClock.now - queued < timeout else { throw HubRefusal.busy(retryAfter: 1) }
            return try work()
        }
    }
}
