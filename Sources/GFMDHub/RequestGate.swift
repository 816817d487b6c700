import Dispatch
import GFMDCore
import GFMDReplica
import GFMDSync
import GFMDWeb

/// Admits signed requests: holds the replay window (seeded, when the hub
/// starts, with the nonces its replica remembers from the last window) and
/// a trust snapshot refreshed every `refresh`, and applies ``HubAuthenticator``.
actor RequestGate {
    private let replica: Replica
    private let refresh: Duration
    private let reader = DispatchQueue(label: "gfmd.hub.trust")
    private var replay = ReplayWindow()
    private var snapshot: (value: TrustSnapshot, readAt: ContinuousClock.Instant)?

    init(replica: Replica, refresh: Duration) throws {
        self.replica = replica
        self.refresh = refresh
        let now = replica.nowMilliseconds
        for admitted in try replica.admittedNonces(since: now > replay.skew ? now - replay.skew : 0) {
            replay.remember(site: admitted.site, nonce: admitted.nonce, at: admitted.signed)
        }
    }

    /// How far back a request may have been signed, in milliseconds: its
    /// nonce is kept that long.
    nonisolated var window: UInt64 { ReplayWindow.defaultSkew }

    /// The certificate of the site that signed the request, or why not.
    func admit(_ request: SignedRequest, method: String, target: String, bodyDigest: Hash256) async throws -> Certificate {
        let snapshot = try await current()
        return try HubAuthenticator.authenticate(
            request, method: method, target: target, bodyDigest: bodyDigest, trust: snapshot.trust, root: snapshot.root,
            now: replica.nowMilliseconds, replay: &replay).get()
    }

    /// Reads the trust state again at the next request (after an apply that may have changed it).
    func invalidate() { snapshot = nil }

    private func current() async throws -> TrustSnapshot {
        if let snapshot, ContinuousClock.now - snapshot.readAt < refresh { return snapshot.value }
        let replica = replica
        guard let value = try await BlockingWork.run(on: reader, { try replica.trustSnapshot() }) else {
            throw HubRefusal(status: 503, code: "unavailable", "the hub's replica has no pinned root", retryAfter: 60)
        }
        snapshot = (value, .now)
        return value
    }
}
