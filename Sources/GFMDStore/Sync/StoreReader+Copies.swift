import Foundation
public import GFMDCore
package import GFMDSync
import GRDB

extension StoreReader.MetaKey {
    /// The proof, once seen, that this replica's site is in use elsewhere.
    static let copyNotice = "copy_notice"
}

extension StoreReader {
    /// What this replica holds of the site(s) with tag `site` up to `time`:
    /// its changes, applied or rejected, at or before that time.
    ///
    /// On the writer's connection, each site's fingerprint is kept from the
    /// last computation (``SiteActivity``), and only the changes between its
    /// time and `time` are read: a hub's history is not read again at each sync.
    package func fingerprint(of site: SiteTag, upTo time: HybridTimestamp) throws -> SiteFingerprint {
        var fingerprint = SiteFingerprint(time: time)
        for id in try signingSites().byTag[site] ?? [] {
            let own = try self.fingerprint(ofSite: id, upTo: time)
            fingerprint.count += own.count
            fingerprint.xor ^= own.xor
        }
        return fingerprint
    }

    /// The fingerprint of the one site `id` up to `time` (counted afresh by a reader without ``sites``).
    func fingerprint(ofSite id: SiteID, upTo time: HybridTimestamp) throws -> SiteFingerprint {
        let between = try db.cachedStatement(sql: """
            SELECT hash FROM change WHERE site = ?1 AND hlc > ?2 AND hlc <= ?3
            UNION ALL SELECT hash FROM rejected WHERE site = ?1 AND hlc > ?2 AND hlc <= ?3
            """)
        var fingerprint: SiteFingerprint
        if let anchor = try sites?.anchor(of: id, db) {
            // The changes between the two times, added when moving later, taken out when moving earlier.
            fingerprint = anchor.moved(to: time)
            let later = time >= anchor.time
            let (low, high) = later ? (anchor.time, time) : (time, anchor.time)
            let rows = try Data.fetchCursor(between, arguments: [id.data, Int64(bitPattern: low.rawValue), Int64(bitPattern: high.rawValue)])
            while let data = try rows.next() {
                let hash = try Hash256(data: data)
                if later { fingerprint.add(hash) } else { fingerprint.remove(hash) }
            }
        } else {
            fingerprint = SiteFingerprint(time: time)
            let rows = try Data.fetchCursor(between, arguments: [id.data, Int64.min, Int64(bitPattern: time.rawValue)])
            while let data = try rows.next() { fingerprint.add(try Hash256(data: data)) }
        }
        try sites?.keep(fingerprint, of: id, db)
        return fingerprint
    }

    /// Whether this replica holds change `hash`: applied, rejected or pending.
    package func holds(_ hash: ChangeHash) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: """
            SELECT EXISTS (SELECT 1 FROM change WHERE hash = ?1) OR EXISTS (SELECT 1 FROM rejected WHERE hash = ?1)
                OR EXISTS (SELECT 1 FROM pending WHERE hash = ?1)
            """), arguments: [hash.data]) ?? false
    }

    /// This replica's own frontier as saved, without its own newest change.
    package func savedFrontier() throws -> Frontier {
        try meta(MetaKey.knowledge).flatMap { try? Frontier(decoding: ArraySlice($0)) } ?? Frontier()
    }

    /// The proof that this replica's site is in use elsewhere, once seen.
    public func copyNotice() throws -> CopyNotice? {
        try meta(MetaKey.copyNotice).flatMap { try? JSONDecoder().decode(CopyNotice.self, from: $0) }
    }
}

extension StoreWriter {
    /// Records `notice`, unless one is recorded already (the first proof stands).
    ///
    /// - Returns: whether it was recorded now.
    package func note(_ notice: CopyNotice) throws -> Bool {
        guard try reader.copyNotice() == nil else { return false }
        try setMeta(StoreReader.MetaKey.copyNotice, try JSONEncoder().encode(notice))
        return true
    }

    /// Forgets the notice: this replica now signs as a new site.
    package func forgetCopyNotice() throws {
        try db.cachedStatement(sql: "DELETE FROM meta WHERE key = ?").execute(arguments: [StoreReader.MetaKey.copyNotice])
    }
}

extension StoreWriter {
    /// Makes `key` this replica's site from now on, the site `old` it signed
    /// as before becoming one of the others: this replica claims to hold of
    /// it only what a peer vouches for, and the proof that `old` was in use
    /// elsewhere is forgotten.
    package func move(from old: SiteID, to key: SitePublicKey) throws {
        try setMeta(StoreReader.MetaKey.publicKey, Data(key.rawRepresentation))
        var frontier = try reader.savedFrontier()
        frontier[SiteTag(old)] = .zero
        try setMeta(StoreReader.MetaKey.knowledge, Data(frontier.encoded))
        try forgetCopyNotice()
    }
}

extension StoreReader.MetaKey {
    /// Where the replica's database was last opened to write: computer, path and file.
    static let place = "place"
    /// The counter floor of element ids, once the folder was found copied or moved.
    static let counterFloor = "counter_floor"
}

extension StoreReader {
    /// Where the database was last opened to write (``StoreWriter/open(at:)``).
    package func place() throws -> String? {
        try meta(MetaKey.place).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The lowest counter this replica allocates to new elements of a text
    /// or list it already holds; 0 until its folder is found somewhere new.
    package func counterFloor() throws -> UInt64 {
        guard let data = try meta(MetaKey.counterFloor), data.count == 8 else { return 0 }
        return data.reduce(0) { $0 << 8 | UInt64($1) }
    }
}

extension StoreWriter {
    /// Records that the database is opened at `place` (its computer, path
    /// and file). When it was last opened elsewhere, the folder was copied,
    /// moved or restored from a backup: new element counters then start at
    /// a random high floor, so that the other copy's cannot be the same.
    ///
    /// - Returns: whether the floor was raised now.
    package func open(at place: String) throws -> Bool {
        let previous = try reader.place()
        guard previous != place else { return false }
        try setMeta(StoreReader.MetaKey.place, Data(place.utf8))
        guard previous != nil else { return false }
        // At least 2^40 above anything a site typed by hand, well below overflow.
        let floor = UInt64.random(in: (1 << 40)...(1 << 56)) & ~((1 << 32) - 1)
        guard floor > (try reader.counterFloor()) else { return false }
        try setMeta(StoreReader.MetaKey.counterFloor, Data((0..<8).map { UInt8(truncatingIfNeeded: floor >> (56 - 8 * $0)) }))
        return true
    }
}
