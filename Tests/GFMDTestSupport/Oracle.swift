public import GFMDCore

/// What a user can see of a record: the part of its state that must agree with
/// the oracle (tombstones and counters left out).
public struct VisibleRecord: Hashable, CustomStringConvertible {
    /// Type and owner.
    public var type = "", owner = ""
    /// For each single-valued field, its surviving writes (change id and value).
    public var registers: [String: Set<Pair>] = [:]
    /// For each set field, its elements.
    public var sets: [String: Set<Value>] = [:]
    /// Surviving deletion writes.
    public var deletion: Set<Pair> = []
    /// Edits no current deletion saw.
    public var unseenEdits: Set<ChangeHash> = []

    /// A write and the value it wrote.
    public struct Pair: Hashable {
        public let write: ChangeHash
        public let value: Value
    }

    public init() {}

    /// The visible part of a merged state.
    public init(_ state: RecordState) {
        type = state.header.type
        owner = state.header.owner
        for (key, field) in state.fields {
            switch field {
            case .register(let register) where !register.isEmpty:
                registers[key.name] = Set(register.entries.map { Pair(write: $0.write, value: $0.value) })
            case .set(let set) where !set.elements.isEmpty:
                sets[key.name] = Set(set.elements)
            default:
                break
            }
        }
        deletion = Set(state.header.deletion.entries.map { Pair(write: $0.write, value: .string($0.value ? "deleted" : "restored")) })
        unseenEdits = Set(state.header.unseenEdits)
    }

    public var description: String {
        "\(type)/\(owner) registers=\(registers.mapValues { $0.map(\.value.displayText).sorted() }) sets=\(sets.mapValues { $0.map(\.displayText).sorted() }) deletion=\(deletion.map(\.value.displayText).sorted()) unseen=\(unseenEdits.count)"
    }
}

/// The merge semantics of DESIGN.md §4 computed the slow, obvious way, from
/// causality alone, without `pred` or tags: the reference the property tests
/// compare every replica with.
///
/// - A single-valued field shows the writes no other write of it causally follows.
/// - An element is in a set when some addition of it is in the causal past of no removal of it.
/// - A record is deleted like a single-valued field; edits outside the causal
///   past of every surviving deletion are unseen by it.
public enum Oracle {
    /// The visible records that `changes` (a causally closed set) amount to.
    public static func expected(from changes: [EncodedChange]) -> [RecordID: VisibleRecord] {
        let pasts = CausalPast(changes)
        func past(_ hash: ChangeHash) -> Set<ChangeHash> { pasts.of(hash) }
        func precedes(_ a: ChangeHash, _ b: ChangeHash) -> Bool { a != b && past(b).contains(a) }

        var records: [RecordID: VisibleRecord] = [:]
        for (record, recordChanges) in Dictionary(grouping: changes, by: \.change.record) {
            var visible = VisibleRecord()
            var writes: [String: [VisibleRecord.Pair]] = [:]
            var adds: [String: [(Value, ChangeHash)]] = [:]
            var removes: [String: [(Value, ChangeHash)]] = [:]
            var deletions: [VisibleRecord.Pair] = []
            var edits: [ChangeHash] = []
            for encoded in recordChanges {
                if encoded.change.editsFields { edits.append(encoded.hash) }
                for operation in encoded.change.operations {
                    switch operation {
                    case .create(let type, let owner):
                        visible.type = type
                        visible.owner = owner
                    case .set(let field, let value, _):
                        writes[field, default: []].append(.init(write: encoded.hash, value: value))
                    case .add(let field, let element):
                        adds[field, default: []].append((element, encoded.hash))
                    case .remove(let field, let element, _):
                        removes[field, default: []].append((element, encoded.hash))
                    case .setDeleted(let deleted, _):
                        deletions.append(.init(write: encoded.hash, value: .string(deleted ? "deleted" : "restored")))
                    case .certify(let certificate):
                        adds[TrustRecord.certificatesField, default: []].append((.string(Hex.encode(certificate.encoded)), encoded.hash))
                    case .revoke(let revocation):
                        adds[TrustRecord.revocationsField, default: []].append((.string(Hex.encode(revocation.encoded)), encoded.hash))
                    case .unknown, .text, .list:
                        break  // Sequences have their own convergence tests.
                    }
                }
            }
            for (field, fieldWrites) in writes {
                visible.registers[field] = Set(fieldWrites.filter { w in !fieldWrites.contains { precedes(w.write, $0.write) } })
            }
            for (field, fieldAdds) in adds {
                let fieldRemoves = removes[field] ?? []
                let present = fieldAdds.filter { add in
                    !fieldRemoves.contains { $0.0 == add.0 && precedes(add.1, $0.1) }
                }.map(\.0)
                if !present.isEmpty { visible.sets[field] = Set(present) }
            }
            visible.deletion = Set(deletions.filter { d in !deletions.contains { precedes(d.write, $0.write) } })
            let liveDeletes = visible.deletion.filter { $0.value == .string("deleted") }.map(\.write)
            if !liveDeletes.isEmpty {
                visible.unseenEdits = Set(edits.filter { edit in liveDeletes.allSatisfy { !past($0).contains(edit) } })
            }
            records[record] = visible
        }
        return records
    }
}
