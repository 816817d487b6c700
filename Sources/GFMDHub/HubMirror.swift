import Foundation
import GFMDHubClient
import GFMDReplica
import Logging
import Synchronization

/// Keeps a hub in step with other hubs (`gfmd serve --mirror URL`): the hub
/// syncs with each as a secretariat laptop would, signed by its own site
/// key, when it starts, soon after a sync brought it changes, and every
/// ``HubConfiguration/mirrorInterval`` besides. Two hubs that mirror each
/// other converge; a hub that was down catches up when it starts again.
///
/// One mirror sync runs at a time; a nudge during one makes the next start
/// as soon as it ends. A hub out of reach is tried once per turn and logged
/// once per run of failures, not retried in a loop.
final class HubMirror: Sendable {
    private let replica: Replica
    private let targets: [URL]
    private let ca: URL?
    private let interval: Duration
    private let logger: Logger
    private let nudged = Atomic<Bool>(true)

    init(replica: Replica, targets: [URL], ca: URL?, interval: Duration, logger: Logger) {
        self.replica = replica
        self.targets = targets
        self.ca = ca
        self.interval = interval
        self.logger = logger
    }

    /// Asks for a mirror sync soon: this hub applied changes.
    func nudge() {
        nudged.store(true, ordering: .relaxed)
    }

    /// Mirrors until the task is cancelled.
    func run() async {
        var failing = Set<URL>()
        var last = ContinuousClock.now
        while !Task.isCancelled {
            if nudged.exchange(false, ordering: .relaxed) || ContinuousClock.now - last >= interval {
                last = ContinuousClock.now
                for target in targets where !Task.isCancelled {
                    await mirror(with: target, failing: &failing)
                }
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    /// One sync with `target`, logged.
    private func mirror(with target: URL, failing: inout Set<URL>) async {
        let client: HubClient
        do {
            client = try HubClient(url: target, ca: ca, connections: 1, timeout: .seconds(600), connectTimeout: .seconds(5))
        } catch {
            if failing.insert(target).inserted { logger.error("cannot mirror", metadata: ["hub": "\(target.absoluteString)", "error": "\(error)"]) }
            return
        }
        do {
            let report = try await client.sync(replica, attempts: 1, patience: 60_000)
            if failing.remove(target) != nil { logger.notice("mirror reached again", metadata: ["hub": "\(target.absoluteString)"]) }
            if report.sent > 0 || report.received > 0 {
                logger.info("mirrored", metadata: ["hub": "\(target.absoluteString)", "sent": "\(report.sent)", "received": "\(report.received)"])
            }
        } catch let error as HubSyncError where error.unfinished {
            // A hub under load keeps receiving pushes: this turn moved changes, the next goes on.
            logger.info("mirror turn ended with changes still arriving", metadata: ["hub": "\(target.absoluteString)", "detail": "\(error)"])
        } catch {
            if failing.insert(target).inserted {
                logger.warning("mirror sync failed; tried again at the next turn", metadata: ["hub": "\(target.absoluteString)", "error": "\(error)"])
            }
        }
        try? await client.shutdown()
    }
}
