import Foundation
package import GFMDCore
package import GFMDSync
import GRDB

extension StoreReader.MetaKey {
    /// This replica's own frontier (`Frontier.encoded`).
    static let knowledge = "knowledge"
}

extension StoreReader {
    /// The sync state of this replica (`Protocol/sync.md`): its own frontier,
    /// which includes its own newest change, and what it believes of the peer
    /// sites in `peers` (every peer when nil).
    package func syncSession(site: SiteID, participant: String, peers: Set<SiteID>? = nil) throws -> SyncSession {
        let own = try meta(MetaKey.knowledge).map { data in
            try Self.decoding("this replica's knowledge") { () throws(FormatError) in try Frontier(decoding: ArraySlice(data)) }
        } ?? Frontier()
        var beliefs: [PeerKnowledge] = []
        let rows: [Row]
        if let peers {
            let statement = try db.cachedStatement(sql: "SELECT site, participant, knowledge FROM peer WHERE site = ?")
            rows = try peers.compactMap { try Row.fetchOne(statement, arguments: [$0.data]) }
        } else {
            rows = try Row.fetchAll(try db.cachedStatement(sql: "SELECT site, participant, knowledge FROM peer"))
        }
        for row in rows {
            let site = try SiteID(data: row[0])
            let data: Data = row[2]
            beliefs.append(try Self.decoding("what this replica knows of site \(site.short)") { () throws(FormatError) in
                try PeerKnowledge(site: site, participant: row[1], decoding: ArraySlice(data))
            })
        }
        var session = SyncSession(site: site, participant: participant, own: own, peers: beliefs)
        if let newest = try Int64.fetchOne(try db.cachedStatement(sql: "SELECT max(hlc) FROM change WHERE site = ?"), arguments: [site.data]) {
            session.madeChanges(upTo: HybridTimestamp(rawValue: UInt64(bitPattern: newest)))
        }
        return session
    }

    private static func decoding<T>(_ what: String, _ body: () throws(FormatError) -> T) throws -> T {
        do { return try body() } catch { throw StoreError(.corrupt, "\(what) is damaged: \(error)") }
    }

    /// Whether this replica applied the bundle `sender` made at `created`
    /// and took the knowledge it vouched for.
    package func tookKnowledge(from sender: SiteID, created: HybridTimestamp) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: """
            SELECT EXISTS (SELECT 1 FROM bundle WHERE sender_site = ? AND created_hlc = ? AND knowledge_taken = 1)
            """), arguments: [sender.data, Int64(bitPattern: created.rawValue)]) ?? false
    }

    /// For each of `sites`, the `created` time of the newest of its bundles
    /// whose knowledge this replica took.
    package func newestTaken(from sites: [SiteID]) throws -> [SiteTag: HybridTimestamp] {
        let statement = try db.cachedStatement(sql: "SELECT max(created_hlc) FROM bundle WHERE sender_site = ? AND knowledge_taken = 1")
        var taken: [SiteTag: HybridTimestamp] = [:]
        for site in sites {
            if let time = try Int64.fetchOne(statement, arguments: [site.data]) {
                taken[SiteTag(site)] = HybridTimestamp(rawValue: UInt64(bitPattern: time))
            }
        }
        return taken
    }

    /// The sites that signed a change this replica holds, and the tags two of them share.
    /// Kept between transactions on the writer's connection, read afresh on another.
    func signingSites() throws -> SiteActivity.Signers {
        if let sites { return try sites.signers(db) }
        return SiteActivity.Signers(try Data.fetchAll(try db.cachedStatement(sql: "SELECT id FROM site")).map { try SiteID(data: $0) })
    }

    /// The sites that signed a change this replica holds, by tag (a tag two
    /// of them share is left out: `SiteTag`).
    package func sitesByTag() throws -> [SiteTag: SiteID] {
        try signingSites().unique
    }

    /// The participant each site's applied changes act for.
    package func siteParticipants() throws -> [SiteTag: String] {
        if let sites { return try sites.participants(db) }
        let statement = try db.cachedStatement(sql: "SELECT participant FROM change WHERE site = ? LIMIT 1")
        var participants: [SiteTag: String] = [:]
        for (tag, site) in try sitesByTag() {
            participants[tag] = try String.fetchOne(statement, arguments: [site.data])
        }
        return participants
    }

    /// The points of changes this replica holds above `frontier` (applied,
    /// rejected or pending), at most `limit`.
    package func points(above frontier: Frontier, limit: Int) throws -> [SitePoint] {
        let statement = try db.cachedStatement(sql: """
            SELECT hlc FROM change WHERE site = ?1 AND hlc > ?2
            UNION SELECT hlc FROM rejected WHERE site = ?1 AND hlc > ?2
            UNION SELECT hlc FROM pending WHERE site = ?1 AND hlc > ?2 LIMIT ?3
            """)
        var points: [SitePoint] = []
        let latest = try sites?.latest(db)
        for (tag, site) in try signingSites().uniqueInOrder where points.count < limit {
            if let latest, (latest[site] ?? .zero) <= frontier[tag] { continue }
            let times = try Int64.fetchAll(statement, arguments: [site.data, Int64(bitPattern: frontier[tag].rawValue), limit - points.count])
            points += times.map { SitePoint(site: tag, timestamp: HybridTimestamp(rawValue: UInt64(bitPattern: $0))) }
        }
        return points
    }

    /// Per site, the time of the earliest change kept pending.
    package func earliestPending() throws -> [SiteTag: HybridTimestamp] {
        var earliest: [SiteTag: HybridTimestamp] = [:]
        for row in try Row.fetchAll(try db.cachedStatement(sql: "SELECT site, min(hlc) FROM pending GROUP BY site")) {
            earliest[SiteTag(try SiteID(data: row[0]))] = HybridTimestamp(rawValue: UInt64(bitPattern: row[1]))
        }
        return earliest
    }

    /// The dependencies pending changes wait for, each with the participant
    /// of a change waiting for it, at most `limit`.
    package func missingDependencies(limit: Int) throws -> [(hash: ChangeHash, waiting: String)] {
        let rows = try Row.fetchAll(try db.cachedStatement(sql: """
            SELECT d.dep, p.body, p.size FROM pending_dep d JOIN pending p ON p.hash = d.hash
            WHERE d.dep NOT IN (SELECT hash FROM pending)
            GROUP BY d.dep LIMIT ?
            """), arguments: [limit])
        return try rows.map { row in (try Hash256(data: row[0]), try Self.decodeStored(row[1], size: row[2]).change.participant) }
    }
}

extension StoreReader {
    /// The sites of `participant` this replica believes something of.
    package func peerSites(of participant: String) throws -> [SiteID] {
        try Data.fetchAll(try db.cachedStatement(sql: "SELECT site FROM peer WHERE participant = ?"), arguments: [participant]).map { try SiteID(data: $0) }
    }
}

extension StoreReader {
    /// Every change this replica holds: applied, rejected or pending.
    package func heldChanges() throws -> Set<ChangeHash> {
        Set(try Data.fetchAll(try db.cachedStatement(sql: "SELECT hash FROM change UNION ALL SELECT hash FROM rejected UNION ALL SELECT hash FROM pending"))
            .map { try Hash256(data: $0) })
    }
}

extension StoreReader.MetaKey {
    /// The site of the hub at an address, once it answered.
    static func hub(_ address: String) -> String { "hub " + address }
    /// The addresses of the hubs that completed a sync, most recent first, one per line.
    static let hubAddresses = "hub_addresses"
}

extension StoreReader {
    /// The site of the hub at `address`, when it answered a sync before.
    package func hubSite(at address: String) throws -> SiteID? {
        try meta(MetaKey.hub(address)).map { try SiteID(data: $0) }
    }

    /// The addresses of the hubs a sync completed with, the most recent first.
    package func hubAddresses() throws -> [String] {
        try meta(MetaKey.hubAddresses).map { String(decoding: $0, as: UTF8.self).split(separator: "\n").map(String.init) } ?? []
    }
}
