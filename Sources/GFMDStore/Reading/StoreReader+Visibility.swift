import Foundation
public import GFMDCore
import GRDB

/// What one participant may read of a replica (`Protocol/trust.md`,
/// "Visibility"): the trust record, its own records and those it co-authors,
/// whole, and the published version of every accepted record. The
/// secretariat reads everything.
public struct Visibility: Sendable {
    /// The participant reading.
    public let participant: String
    /// Records it reads whole, with their rejected changes.
    public let wholeRecords: Set<RecordID>
    /// Records it reads as published: the changes of each one's published version.
    public let published: [RecordID: Set<ChangeHash>]
    /// Whether it reads everything (the secretariat).
    public let readsEverything: Bool
}

extension StoreReader {
    /// What `participant` may read of this replica.
    public func visibility(for participant: String) throws -> Visibility {
        let everything = participant == ParticipantCode.secretariat.rawValue
        let trust = try trustRecordID()
        var whole = Set<RecordID>()
        var others: [RecordID] = []
        let rows = try Row.fetchCursor(db, sql: """
            SELECT id, owner = ?1 OR EXISTS (SELECT 1 FROM json_each(fields, '$."co_authors"') WHERE value = ?1) FROM record
            """, arguments: [participant])
        while let row = try rows.next() {
            let id = try RecordID(data: row[0])
            if everything || id == trust || row[1] as Bool {
                whole.insert(id)
            } else {
                others.append(id)
            }
        }
        var published: [RecordID: Set<ChangeHash>] = [:]
        for id in others {
            published[id] = try publishedChanges(of: id)
        }
        return Visibility(participant: participant, wholeRecords: whole, published: published, readsEverything: everything)
    }

    /// Every change `visibility` lets its participant read: those of the
    /// records it reads whole, rejected ones included, and those of the
    /// published versions of the others.
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
        return changes
    }

    /// The digest of what `visibility` lets its participant read: equal to
    /// the `gfmd digest` of a replica of that participant holding all of it.
    public func digest(of visibility: Visibility) throws -> String {
        try digest { id in
            if visibility.wholeRecords.contains(id) { return .whole }
            if let changes = visibility.published[id] { return .within(changes) }
            return .none
        }
    }
}
