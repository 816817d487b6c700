import Foundation
import GFMDCore
import GFMDSync
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
///
/// It also keeps the signing sites (the `site` table, read again once a
/// site is added) and, per recipient participant, where its answers' scans
/// of the log stopped (``Readers``): a hub answering a delegation's laptop
/// then does not scan every other delegation's changes at each sync. And,
/// per site, its fingerprint up to the time last asked, kept current as
/// changes at or before that time are stored, so that the next fingerprint
/// reads only the changes between the two times (at a million changes, a
/// fingerprint read the site's whole history at each sync and each apply).
/// Those anchors are kept in the `site_fingerprint` table too, written in
/// the transaction that moved them, so that a new process starts from them.
final class SiteActivity: Sendable {
    private struct State {
        var latest: [SiteID: UInt64] = [:]
        /// The writer connection's data version when `latest` was read; nil before.
        var version: Int64?
        var participants: [SiteID: String] = [:]
        var signers: Signers?
        /// The participant of every signing site whose tag is its own, once each is known.
        var participantsByTag: [SiteTag: String]?
        var readers: [String: Readers] = [:]
        /// Found in the write transaction under way, kept once it commits.
        var staged: [String: Readers] = [:]
        /// Per site, its fingerprint up to some time, as last computed and
        /// kept current as changes at or before that time are stored: the
        /// rows of `site_fingerprint`, once read (``anchorsRead``).
        var anchors: [SiteID: SiteFingerprint] = [:]
        var anchorsRead = false
        /// The sites whose anchors changes stored in the write under way moved, to write back.
        var movedAnchors: Set<SiteID> = []
    }

    /// How far the log was scanned for what one participant may read, and
    /// the sites that wrote something it might: of every other site, no
    /// change stored up to the watermarks is on a record it may read any
    /// part of (as `StoreReader.changes(above:)` judges in SQL).
    ///
    /// The ways an old change becomes readable (an acceptance, a
    /// `co_authors` edit, a settlement) are new changes, which the next scan
    /// finds; a record changing owner forgets every scan besides (``forgetReaders()``).
    struct Readers {
        /// The greatest `change.seq` scanned.
        var changes: Int64
        /// The greatest `rejected.rejected_seq` scanned.
        var rejected: Int64
        /// The sites with a change on a record the participant may read.
        var sites: Set<SiteID>
    }

    /// The sites that signed a change this replica holds, and the tags two of them share.
    struct Signers {
        private(set) var sites: [SiteID]
        private(set) var shared: Set<SiteTag>
        private(set) var byTag: [SiteTag: [SiteID]]
        /// The sites whose tag no other site has, by tag; and in the order of their tags.
        private(set) var unique: [SiteTag: SiteID]
        private(set) var uniqueInOrder: [(tag: SiteTag, site: SiteID)]

        init(_ sites: [SiteID]) {
            self.sites = sites
            byTag = Dictionary(grouping: sites, by: SiteTag.init)
            shared = Set(byTag.filter { $0.value.count > 1 }.keys)
            unique = byTag.compactMapValues { $0.count == 1 ? $0[0] : nil }
            uniqueInOrder = unique.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }

        /// Adds a site that signed a change: a hub adds one with each
        /// delegation's first bundle, and reading every site again then
        /// took 7 % of a merge of 1,000 delegations' bundles.
        mutating func add(_ site: SiteID) {
            let tag = SiteTag(site)
            guard byTag[tag]?.contains(site) != true else { return }
            sites.append(site)
            byTag[tag, default: []].append(site)
            var position = 0, end = uniqueInOrder.count
            while position < end {
                let middle = (position + end) / 2
                if uniqueInOrder[middle].tag < tag { position = middle + 1 } else { end = middle }
            }
            if byTag[tag]!.count == 1 {
                unique[tag] = site
                uniqueInOrder.insert((tag, site), at: position)
            } else if shared.insert(tag).inserted {
                unique[tag] = nil
                uniqueInOrder.remove(at: position)
            }
        }
    }

    private let state = Mutex(State())

    /// Records that this connection stored a change of `site` made at `time`.
    func note(_ site: SiteID, at time: HybridTimestamp) {
        state.withLock { $0.latest[site] = max($0.latest[site] ?? 0, time.rawValue) }
    }

    /// Records that change `hash` of `site` was stored in the log or as
    /// rejected: what a fingerprint counts.
    func noteStored(_ hash: ChangeHash, of site: SiteID, at time: HybridTimestamp) {
        state.withLock { state in
            state.latest[site] = max(state.latest[site] ?? 0, time.rawValue)
            if let anchor = state.anchors[site], time <= anchor.time {
                state.anchors[site]!.add(hash)
                state.movedAnchors.insert(site)
            }
        }
    }

    /// The fingerprint of `site` kept from an earlier computation, if any
    /// (`StoreReader.fingerprint(of:upTo:)`); on the writer's connection.
    func anchor(of site: SiteID, _ db: Database) throws -> SiteFingerprint? {
        try readAnchors(db)
        return state.withLock { $0.anchors[site] }
    }

    /// Keeps `fingerprint` of `site`, computed in the write transaction under
    /// way, in memory and in `site_fingerprint`.
    func keep(_ fingerprint: SiteFingerprint, of site: SiteID, _ db: Database) throws {
        try write(fingerprint, of: site, db)
        state.withLock { state in
            state.anchors[site] = fingerprint
            state.movedAnchors.remove(site)
        }
    }

    /// Reads the anchors of `site_fingerprint`, unless they are in memory
    /// and current: before an apply notes what it stores (``noteStored(_:of:at:)``).
    func readAnchors(_ db: Database) throws {
        try refresh(db)
        guard !state.withLock({ $0.anchorsRead }) else { return }
        var anchors: [SiteID: SiteFingerprint] = [:]
        let rows = try Row.fetchCursor(db.cachedStatement(sql: "SELECT site, time, count, xor FROM site_fingerprint"))
        while let row = try rows.next() {
            anchors[try SiteID(data: row[0])] = SiteFingerprint(
                time: HybridTimestamp(rawValue: UInt64(bitPattern: row[1])), count: UInt64(bitPattern: row[2]), xor: UInt64(bitPattern: row[3]))
        }
        state.withLock { state in
            state.anchors = anchors
            state.anchorsRead = true
        }
    }

    /// Reads the anchors (``readAnchors(_:)``), and starts one for each of
    /// `sites` that this replica holds no change of yet: empty, up to the
    /// latest time there can be, so that the changes an apply is about to
    /// store are counted as they are stored. A fingerprint asked after it
    /// then reads only the changes above its time (a hub read each
    /// delegation's first bundle back from its log to count it: 3 % of W2).
    func anchorNewSites(_ sites: some Sequence<SiteID>, _ db: Database) throws {
        try readAnchors(db)
        state.withLock { state in
            for site in sites where state.latest[site] == nil && state.anchors[site] == nil {
                state.anchors[site] = SiteFingerprint(time: Self.endOfTime)
                state.movedAnchors.insert(site)
            }
        }
    }

    /// The latest time an anchor covers: beyond every hybrid timestamp
    /// (stored as SQLite's signed integers, all of them positive).
    private static let endOfTime = HybridTimestamp(rawValue: UInt64(Int64.max))

    /// Writes back the anchors the changes stored since the last call moved,
    /// in the write transaction under way.
    func writeMovedAnchors(_ db: Database) throws {
        let moved = state.withLock { state in
            defer { state.movedAnchors = [] }
            return state.movedAnchors.compactMap { site in state.anchors[site].map { (site, $0) } }
        }
        for (site, anchor) in moved { try write(anchor, of: site, db) }
    }

    private func write(_ fingerprint: SiteFingerprint, of site: SiteID, _ db: Database) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO site_fingerprint(site, time, count, xor) VALUES (?, ?, ?, ?)").execute(arguments: [
            site.data, Int64(bitPattern: fingerprint.time.rawValue), Int64(bitPattern: fingerprint.count), Int64(bitPattern: fingerprint.xor),
        ])
    }

    /// Records that this connection added `site` to the signing sites.
    func signerAdded(_ site: SiteID) {
        state.withLock { state in
            state.signers?.add(site)
            state.participantsByTag = nil
        }
    }

    /// Forgets every participant's scans: a record changed owner, so what a
    /// participant may read of old changes changed without a new change.
    func forgetReaders() {
        state.withLock { state in
            state.readers = [:]
            state.staged = [:]
        }
    }

    /// The signing sites, read once and kept until a site is added or another
    /// connection writes. To be called on the writer's connection.
    func signers(_ db: Database) throws -> Signers {
        try refresh(db)
        if let signers = state.withLock({ $0.signers }) { return signers }
        let signers = Signers(try Data.fetchAll(db.cachedStatement(sql: "SELECT id FROM site")).map { try SiteID(data: $0) })
        state.withLock { $0.signers = signers }
        return signers
    }

    /// Where the scans for `participant` stopped, in this transaction or an
    /// earlier one; nil when they start afresh.
    func readers(of participant: String) -> Readers? {
        state.withLock { $0.staged[participant] ?? $0.readers[participant] }
    }

    /// Notes where a scan for `participant` in the write transaction under way stopped.
    func stage(_ readers: Readers, of participant: String) {
        state.withLock { $0.staged[participant] = readers }
    }

    /// Keeps what the transaction that just ended scanned, if it committed;
    /// else forgets the signing sites too, which it may have read with a
    /// site it added.
    func endTransaction(committed: Bool) {
        state.withLock { state in
            if committed {
                state.readers.merge(state.staged) { $1 }
            } else {
                state.signers = nil
                state.participantsByTag = nil
                // They may count changes the transaction stored and then took back.
                state.anchors = [:]
                state.anchorsRead = false
                state.movedAnchors = []
            }
            state.staged = [:]
        }
    }

    /// The latest time held per site; a site absent holds nothing. To be
    /// called on the writer's connection, inside a transaction.
    func latest(_ db: Database) throws -> [SiteID: HybridTimestamp] {
        try refresh(db)
        return state.withLock { $0.latest.mapValues(HybridTimestamp.init(rawValue:)) }
    }

    /// Reads the times afresh, and forgets the signers and the participants'
    /// scans, when another connection wrote since they were read.
    private func refresh(_ db: Database) throws {
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
                state.signers = nil
                state.participantsByTag = nil
                state.readers = [:]
                state.anchors = [:]
                state.anchorsRead = false
            }
        }
    }

    /// The participant the applied changes of each signing site whose tag
    /// is its own act for, each read once; kept whole once each is known.
    func participants(_ db: Database) throws -> [SiteTag: String] {
        try refresh(db)
        if let whole = state.withLock({ $0.participantsByTag }) { return whole }
        let sites = try signers(db).unique
        let known = state.withLock { $0.participants }
        var found: [SiteTag: String] = [:]
        var read: [SiteID: String] = [:]
        let statement = try db.cachedStatement(sql: "SELECT participant FROM change WHERE site = ? LIMIT 1")
        for (tag, site) in sites {
            if let participant = known[site] {
                found[tag] = participant
            } else if let participant = try String.fetchOne(statement, arguments: [site.data]) {
                found[tag] = participant
                read[site] = participant
            }
        }
        state.withLock { state in
            state.participants.merge(read) { $1 }
            if found.count == sites.count { state.participantsByTag = found }
        }
        return found
    }
}
