public import Foundation
public import GFMDReplica

/// A sync with the first of several hubs that answers (`gfmd sync URL1
/// URL2`): a hub and its standby. An address that does not answer (out of
/// reach, or busy for all the tries) passes to the next; a refusal does
/// not, since the next hub would refuse alike.
public enum HubFailover {
    /// Syncs `replica` with the first of `addresses` that answers.
    ///
    /// - Parameters:
    ///   - ca: the certificate authorities of the hubs' TLS certificates, instead of the system's.
    ///   - passing: told, when an address does not answer, why and which comes next.
    /// - Returns: the report and the address that answered.
    /// - Throws: ``HubSyncError`` when a hub refuses, or none answers.
    public static func sync(
        _ replica: Replica, addresses: [URL], ca: URL? = nil, progress: @escaping @Sendable (String) -> Void = { _ in },
        waiting: @escaping @Sendable (String) -> Void = { _ in }, passing: (_ from: URL, _ reason: String, _ to: URL) -> Void = { _, _, _ in }
    ) async throws -> (report: HubSyncReport, address: URL) {
        precondition(!addresses.isEmpty, "a sync needs a hub's address")
        for (index, url) in addresses.enumerated() {
            let client = try HubClient(url: url, ca: ca)
            let result: Result<HubSyncReport, any Error>
            do {
                // With a standby next, a hub out of reach is tried twice, not for half a minute.
                let attempts = index + 1 < addresses.count ? 2 : 6
                result = .success(try await client.sync(replica, attempts: attempts, progress: progress, waiting: waiting))
            } catch {
                result = .failure(error)
            }
            try await client.shutdown()
            do {
                return (try result.get(), url)
            } catch let error as HubSyncError where error.unanswered && index + 1 < addresses.count {
                passing(url, error.reason, addresses[index + 1])
            }
        }
        preconditionFailure("the last address returns or throws")
    }
}
