import Foundation
import GFMDCore
import GFMDSync
import GRDB

/// Judges, record by record, what one participant may read of the changes a
/// delta considers (`Protocol/trust.md`, "Visibility"), reading only the
/// records those changes touch.
struct VisibilityFilter {
    let reader: StoreReader
    let participant: String
    /// The trust record, whose changes are judged by ``trustChanges(for:among:plan:)``.
    let trust: RecordID?
    private var access: [RecordID: Access] = [:]

    /// How the participant reads one record.
    enum Access {
        case whole
        case published(Set<ChangeHash>)
        case none
    }

    init(reader: StoreReader, participant: String, trust: RecordID?) {
        self.reader = reader
        self.participant = participant
        self.trust = trust
    }

    mutating func access(to record: RecordID) throws -> Access {
        if let known = access[record] { return known }
        let row = try Row.fetchOne(reader.db.cachedStatement(sql: """
            SELECT owner = ?1 OR EXISTS (SELECT 1 FROM json_each(co_authors) WHERE value = ?1), owner = ''
            FROM record WHERE id = ?2
            """), arguments: [participant, record.data])
        let result: Access
        if let row, !(row[1] as Bool) {
            result = row[0] as Bool ? .whole : .published(try reader.publishedChanges(of: record) ?? [])
        } else {
            result = .none  // unknown, or contested: only the secretariat reads it
        }
        access[record] = result
        return result
    }

    /// Whether the participant reads the change `hash`, found at `change`.
    mutating func reads(_ hash: ChangeHash, at change: StoreReader.Located) throws -> Bool {
        switch try access(to: change.record) {
        case .whole: true
        case .published(let version): !change.rejected && version.contains(hash)
        case .none: false
        }
    }

    /// What the changes `kept` make readable that the recipient was not
    /// believed to read before: the part of a published version added by a new
    /// acceptance, and the whole history of a record whose `co_authors`
    /// change or whose settlement names its owner (a contested record, read
    /// by the secretariat alone until then).
    mutating func newlyReadable(besides kept: [ChangeHash: StoreReader.Located], plan: DeltaPlan) throws -> [ChangeHash: StoreReader.Located] {
        var added: [ChangeHash: StoreReader.Located] = [:]
        let records = Set(kept.values.map(\.record))
        for record in records {
            switch try access(to: record) {
            case .published(let version):
                let accepts = try Row.fetchAll(reader.db.cachedStatement(sql: "SELECT hash, site, hlc FROM change WHERE record = ? AND accepts = 1"),
                                               arguments: [record.data])
                let believedHeld = try accepts.filter { row in
                    !plan.carries(SitePoint(site: SiteTag(try SiteID(data: row[1])), timestamp: HybridTimestamp(rawValue: UInt64(bitPattern: row[2]))))
                }.map { try Hash256(data: $0[0]) }
                let before = believedHeld.isEmpty ? [] : try reader.ancestry(of: believedHeld).intersection(version)
                for hash in version.subtracting(before) where kept[hash] == nil {
                    if let found = try reader.located(hash) { added[hash] = found }
                }
            case .whole:
                let widened = try kept.contains { hash, change in
                    guard change.record == record, let stored = try reader.storedChange(hash, rejected: change.rejected) else { return false }
                    return !Set(stored.change.fieldsTouched).isDisjoint(with: ["co_authors", Settlement.field])
                }
                guard widened else { continue }
                for hash in try reader.changeHashes(of: record) + reader.rejectedHashes(of: record) where kept[hash] == nil {
                    if let found = try reader.located(hash) { added[hash] = found }
                }
            case .none:
                continue
            }
        }
        // A change of a published record only counts once its record's version holds it.
        var readable: [ChangeHash: StoreReader.Located] = [:]
        for (hash, change) in added where try reads(hash, at: change) { readable[hash] = change }
        return readable
    }

    /// The trust-record changes to carry with `kept`: those in their causal
    /// past (the certificates that verify them), those certifying the
    /// recipient's sites, and revocations, with their causal pasts, as far
    /// back as the recipient is not believed to hold them: by its trust
    /// heads when every site said them, else by the plan's times.
    mutating func trustChanges(
        for kept: [ChangeHash: StoreReader.Located], among candidates: [ChangeHash: StoreReader.Located], plan: DeltaPlan
    ) throws -> [ChangeHash: StoreReader.Located] {
        var seeds: [ChangeHash] = []
        let frontier = try reader.db.cachedStatement(sql: "SELECT trust_frontier FROM change WHERE hash = ?")
        for (hash, change) in kept {
            if change.rejected {
                seeds += try reader.storedChange(hash, rejected: true)?.change.dependencies ?? []
            } else if let data = try Data.fetchOne(frontier, arguments: [hash.data]) {
                seeds += try [Hash256](concatenated: data)
            }
        }
        for (hash, change) in candidates where !change.rejected {
            let decoded = try reader.trust?.change(hash) ?? reader.storedChange(hash, rejected: false)?.change
            if decoded?.isTrustSeed(for: participant) == true { seeds.append(hash) }
        }
        // A trust-record change asked for lies in the causal past of a change
        // the asker holds: the certificate that verifies it.
        seeds += plan.wants.filter { candidates[$0] != nil }
        let held: Set<ChangeHash>? = try plan.trustHeld.map { sets in
            try sets.map { try reader.ancestry(of: Array($0)) }.reduce(nil as Set<ChangeHash>?) { $0?.intersection($1) ?? $1 } ?? []
        }
        func needed(_ hash: ChangeHash, at change: StoreReader.Located) -> Bool {
            if plan.wants.contains(hash) { return true }  // believed held, but asked for: it was lost
            if let held { return !held.contains(hash) }
            return plan.carries(change.point)
        }
        var carried: [ChangeHash: StoreReader.Located] = [:]
        var seen = Set(seeds)
        let deps = try reader.db.cachedStatement(sql: "SELECT deps FROM change WHERE hash = ?")
        while let next = seeds.popLast() {
            guard let change = try reader.located(next), change.record == trust, !change.rejected, needed(next, at: change) else { continue }
            carried[next] = change
            guard let data = try Data.fetchOne(deps, arguments: [next.data]) else { continue }
            for dep in try [Hash256](concatenated: data) where seen.insert(dep).inserted { seeds.append(dep) }
        }
        return carried
    }
}
