import Foundation
public import GFMDCore
import GRDB

/// What one participant may read of a replica (`Protocol/trust.md`,
/// "Visibility"): its own records and those it co-authors, whole; the
/// published version of every accepted record; and the part of the trust
/// record that verifies them. The secretariat reads everything.
public struct Visibility: Sendable {
    /// The participant reading.
    public let participant: String
    /// Whether it reads everything (the secretariat).
    public let readsEverything: Bool
    /// Records it reads whole, with their rejected changes (not the trust record).
    public let wholeRecords: Set<RecordID>
    /// Records it reads as published: the changes of each one's published version.
    public let published: [RecordID: Set<ChangeHash>]
    /// The trust-record changes it reads, when it does not read everything.
    public let trustChanges: Set<ChangeHash>
}

extension StoreReader {
    /// What `participant` may read of this replica.
    public func visibility(for participant: String) throws -> Visibility {
        let everything = participant == ParticipantCode.secretariat.rawValue
        let trust = try trustRecordID()
        var whole = Set<RecordID>()
        var others: [RecordID] = []
        // A record whose creates disagree on its owner (owner '') has no
        // owner to share it: only the secretariat reads it (Protocol/trust.md).
        let rows = try Row.fetchCursor(db, sql: """
            SELECT id, owner = ?1 OR EXISTS (SELECT 1 FROM json_each(co_authors) WHERE value = ?1), owner = '' FROM record
            """, arguments: [participant])
        while let row = try rows.next() {
            let id = try RecordID(data: row[0])
            guard id != trust else { continue }
            if everything {
                whole.insert(id)
            } else if row[2] as Bool {
                continue
            } else if row[1] as Bool {
                whole.insert(id)
            } else {
                others.append(id)
            }
        }
        var published: [RecordID: Set<ChangeHash>] = [:]
        for id in others {
            published[id] = try publishedChanges(of: id)
        }
        let trustChanges = everything ? [] : try visibleTrustChanges(for: participant, whole: whole, published: published)
        return Visibility(participant: participant, readsEverything: everything, wholeRecords: whole, published: published,
                          trustChanges: trustChanges)
    }

    /// The trust-record changes `participant` reads: those in the causal past
    /// of the changes it reads (rejected ones included), those certifying or
    /// revoking its own sites or the secretariat's, and every revocation, with their causal pasts.
    private func visibleTrustChanges(
        for participant: String, whole: Set<RecordID>, published: [RecordID: Set<ChangeHash>]
    ) throws -> Set<ChangeHash> {
        guard let trust = try trustRecordID() else { return [] }
        var seeds = Set<ChangeHash>()
        for stored in try changes(of: trust) where stored.change.isTrustSeed(for: participant) {
            seeds.insert(stored.hash)
        }
        let byRecord = try db.cachedStatement(sql: "SELECT trust_frontier FROM change WHERE record = ?")
        for id in whole {
            for frontier in try Data.fetchAll(byRecord, arguments: [id.data]) {
                seeds.formUnion(try [Hash256](concatenated: frontier))
            }
            for rejected in try rejectedHashes(of: id) {
                seeds.formUnion(try rejectedDependencies(rejected))
            }
        }
        for changes in published.values {
            seeds.formUnion(try trustFrontier(of: Array(changes)))
        }
        let trustHashes = Set(try changeHashes(of: trust))
        return try StoreHistory(db: db).ancestry(of: Array(seeds)).intersection(trustHashes)
    }

    /// The dependencies of rejected change `hash`.
    private func rejectedDependencies(_ hash: ChangeHash) throws -> [ChangeHash] {
        guard let row = try Row.fetchOne(db, sql: "SELECT body, size FROM rejected WHERE hash = ?", arguments: [hash.data]) else { return [] }
        return try Self.decodeStored(row[0], size: row[1]).change.dependencies
    }

    /// Every change `visibility` lets its participant read: those of the
    /// records it reads whole, rejected ones included, those of the published
    /// versions of the others, and its part of the trust record.
    public func changes(visibleIn visibility: Visibility) throws -> Set<ChangeHash> {
        var changes = Set<ChangeHash>()
        if visibility.readsEverything {
            changes.formUnion(try Data.fetchAll(db, sql: "SELECT hash FROM change").map { try Hash256(data: $0) })
            changes.formUnion(try Data.fetchAll(db, sql: "SELECT hash FROM rejected").map { try Hash256(data: $0) })
            return changes
        }
        for id in visibility.wholeRecords {
            changes.formUnion(try changeHashes(of: id))
            changes.formUnion(try rejectedHashes(of: id))
        }
        for published in visibility.published.values { changes.formUnion(published) }
        changes.formUnion(visibility.trustChanges)
        return changes
    }

    /// The digest of what `visibility` lets its participant read: equal to
    /// the `gfmd digest` of a replica of that participant holding all of it.
    public func digest(of visibility: Visibility) throws -> String {
        guard !visibility.readsEverything else { return try digest() }
        let trust = try trustRecordID()
        return try digest { id in
            if id == trust { return .within(visibility.trustChanges) }
            if visibility.wholeRecords.contains(id) { return .whole }
            if let changes = visibility.published[id] { return .within(changes) }
            return .none
        }
    }
}

extension Change {
    /// Whether `participant` reads this trust-record change whatever else it
    /// reads: it certifies a site of `participant`, or of the secretariat
    /// (every participant seals bundles for SEC to its sites), or it revokes
    /// a certificate (`Protocol/trust.md`, "Visibility").
    func isTrustSeed(for participant: String) -> Bool {
        operations.contains { operation in
            switch operation {
            case .certify(let certificate): certificate.participant == participant || certificate.participant == ParticipantCode.secretariat.rawValue
            case .revoke: true
            default: false
            }
        }
    }
}
