public import GFMDCore

/// The merge rules of `Protocol/state.md` computed literally, from the set of
/// changes a replica applied, with no order at all: what the state of any
/// set of changes must be, hostile ones included.
///
/// Unlike ``Oracle`` (which judges honest histories by causality alone),
/// it takes `pred` and `observed` as written, since a hostile writer may
/// name writes it never saw, or leave out writes it saw.
public enum SpecOracle {
    /// The visible records that `changes` amount to, by record.
    public static func expected(from changes: [EncodedChange]) -> [RecordID: VisibleRecord] {
        let pasts = CausalPast(changes)
        func past(_ hash: ChangeHash) -> Set<ChangeHash> { pasts.of(hash) }
        var records: [RecordID: VisibleRecord] = [:]
        for (record, recordChanges) in Dictionary(grouping: changes, by: \.change.record) {
            var visible = VisibleRecord()
            let creates = recordChanges.compactMap(\.change.creation)
            visible.type = Set(creates.map(\.type)).count == 1 ? creates[0].type : ""
            visible.owner = Set(creates.map(\.owner)).count == 1 ? creates[0].owner : ""
            var writes: [String: [VisibleRecord.Pair]] = [:]
            var superseded: [String: Set<ChangeHash>] = [:]
            var tags: [String: [Value: Set<ChangeHash>]] = [:]
            var observed: [String: [Value: Set<ChangeHash>]] = [:]
            var deletions: [(write: ChangeHash, deleted: Bool)] = []
            var deletionSuperseded = Set<ChangeHash>()
            for encoded in recordChanges {
                for operation in encoded.change.operations {
                    switch operation {
                    case .set(let field, let value, let pred):
                        writes[field, default: []].append(.init(write: encoded.hash, value: value))
                        superseded[field, default: []].formUnion(pred)
                    case .add(let field, let element):
                        tags[field, default: [:]][element, default: []].insert(encoded.hash)
                    case .remove(let field, let element, let seen):
                        observed[field, default: [:]][element, default: []].formUnion(seen)
                    case .setDeleted(let deleted, let pred):
                        deletions.append((encoded.hash, deleted))
                        deletionSuperseded.formUnion(pred)
                    case .certify(let certificate):
                        tags[TrustRecord.certificatesField, default: [:]][.string(Hex.encode(certificate.encoded)), default: []].insert(encoded.hash)
                    case .revoke(let revocation):
                        tags[TrustRecord.revocationsField, default: [:]][.string(Hex.encode(revocation.encoded)), default: []].insert(encoded.hash)
                    case .create, .unknown, .text, .list:
                        break  // Sequences have their own convergence tests.
                    }
                }
            }
            for (field, fieldWrites) in writes {
                let surviving = Set(fieldWrites.filter { !(superseded[field] ?? []).contains($0.write) })
                if !surviving.isEmpty { visible.registers[field] = surviving }
            }
            for (field, elements) in tags {
                let present = elements.filter { element, added in !added.subtracting(observed[field]?[element] ?? []).isEmpty }.keys
                if !present.isEmpty { visible.sets[field] = Set(present) }
            }
            let surviving = deletions.filter { !deletionSuperseded.contains($0.write) }
            visible.deletion = Set(surviving.map { VisibleRecord.Pair(write: $0.write, value: .string($0.deleted ? "deleted" : "restored")) })
            let liveDeletes = surviving.filter(\.deleted).map(\.write)
            if !liveDeletes.isEmpty {
                let edits = recordChanges.filter(\.change.editsFields).map(\.hash)
                visible.unseenEdits = Set(edits.filter { edit in liveDeletes.allSatisfy { !past($0).contains(edit) } })
            }
            records[record] = visible
        }
        return records
    }
}
