import Foundation
import GFMDCore
import GRDB
import Synchronization

/// Per site, the latest time of a change held (applied, rejected or
/// pending) and the participant its changes act for, kept in memory between
/// write transactions, so that a delta probes only the sites that hold
/// something above a peer's times (`StoreReader.select`).
///
/// The times are an upper bound, which is all a delta needs: a change noted
/// in a transaction that then rolled back, or a pending change dropped, only
/// makes a site probed for nothing. They are read afresh from the database
/// whenever another connection (another process) wrote to it, as
/// `PRAGMA data_version` tells on the writer's connection.
final class SiteActivity: Sendable {
    private struct State {
        var latest: [SiteID: UInt64] = [:]
        /// The writer connection's data version when `latest` was read; nil before.
        var version: Int64?
        var participants: [SiteID: String] = [:]
    }

    private let state = Mutex(State())

    /// Records that this connection stored a change of `site` made at `time`.
    func note(_ site: SiteID, at time: HybridTimestamp) {
        state.withLock { $0.latest[site] = max($0.latest[site] ?? 0, time.rawValue) }
    }

    /// The latest time held per site; a site absent holds nothing. To be
    /// called on the writer's connection, inside a transaction.
    func latest(_ db: Database) throws -> [SiteID: HybridTimestamp] {
        let version = try Int64.fetchOne(db, sql: "PRAGMA data_version")
        if state.withLock({ $0.version != version }) {
            // One index probe per site and table (`(site, hlc)` indexes), not a scan of the history.
            let latest = try db.cachedStatement(sql: """
                SELECT max(coalesce((SELECT max(hlc) FROM change WHERE site = ?1), 0),
                           coalesce((SELECT max(hlc) FROM rejected WHERE site = ?1), 0),
                           coalesce((SELECT max(hlc) FROM pending WHERE site = ?1), 0))
                """)
            var read: [SiteID: UInt64] = [:]
            for data in try Data.fetchAll(db.cachedStatement(sql: "SELECT id FROM site")) {
                let time = try Int64.fetchOne(latest, arguments: [data]) ?? 0
                if time > 0 { read[try SiteID(data: data)] = UInt64(bitPattern: time) }
            }
            state.withLock { state in
                state.latest.merge(read, uniquingKeysWith: max)
                state.version = version
            }
        }
        return state.withLock { $0.latest.mapValues(HybridTimestamp.init(rawValue:)) }
    }

    /// The participant the applied changes of `site` act for, read once per site.
    func participant(of site: SiteID, _ db: Database) throws -> String? {
        if let known = state.withLock({ $0.participants[site] }) { return known }
        let found = try String.fetchOne(db.cachedStatement(sql: "SELECT participant FROM change WHERE site = ? LIMIT 1"), arguments: [site.data])
        if let found { state.withLock { $0.participants[site] = found } }
        return found
    }
}
