import Foundation
package import GFMDCore
package import GFMDSync
import GRDB

extension StoreWriter {
    /// Saves `session`: this replica's frontier, and each belief about a
    /// peer that differs from `loaded` (the session as it was read).
    package func save(_ session: SyncSession, loaded: SyncSession) throws {
        if session.own != loaded.own {
            try setMeta(StoreReader.MetaKey.knowledge, Data(session.own.encoded))
        }
        let upsert = try db.cachedStatement(sql: "INSERT OR REPLACE INTO peer(site, participant, knowledge) VALUES (?, ?, ?)")
        for (site, belief) in session.peers where loaded.peers[site] != belief {
            try upsert.execute(arguments: [site.data, belief.participant, Data(belief.encoded)])
        }
        for site in loaded.peers.keys where session.peers[site] == nil {
            try db.cachedStatement(sql: "DELETE FROM peer WHERE site = ?").execute(arguments: [site.data])
        }
    }

    /// Starts believing `belief` of a peer this replica knew nothing of (a
    /// site just certified); a belief already held is kept.
    package func introduce(_ belief: PeerKnowledge) throws {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO peer(site, participant, knowledge) VALUES (?, ?, ?)").execute(
                       arguments: [belief.site.data, belief.participant, Data(belief.encoded)])
    }

    /// Records that the bundle with `checksum`, applied in this transaction,
    /// had its vouched knowledge taken.
    package func markKnowledgeTaken(bundle checksum: Hash256) throws {
        try db.cachedStatement(sql: "UPDATE bundle SET knowledge_taken = 1 WHERE checksum = ?").execute(arguments: [checksum.data])
    }
}

extension StoreWriter {
    /// Remembers that the hub at `address` answered as `site`, so that the
    /// next sync with it plans its first push for that site alone.
    package func rememberHub(_ site: SiteID, at address: String) throws {
        try setMeta(StoreReader.MetaKey.hub(address), site.data)
    }

    /// Puts `address` first among the hubs a sync completed with (eight at most).
    package func noteHubAnswered(at address: String) throws {
        let addresses = [address] + (try reader.hubAddresses()).filter { $0 != address }
        try setMeta(StoreReader.MetaKey.hubAddresses, Data(addresses.prefix(8).joined(separator: "\n").utf8))
    }
}
