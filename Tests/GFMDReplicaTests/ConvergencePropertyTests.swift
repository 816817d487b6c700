import Foundation
import GFMDCore
import GFMDReplica
import GFMDStore
import GFMDTestSupport
import Testing

/// Seeded random histories across real replicas exchanging real bundle files.
@Suite("Convergence of replicas (seeded property tests)")
struct ConvergencePropertyTests {
    static let partners = ["IOM", "ILO", "UNDP", "OECD"]
    static let themes = ["remittances", "diaspora", "skills"]

    /// One random local action on `replica`; returns false when it was refused
    /// as invalid in the replica's current state (which is fine).
    @discardableResult
    static func randomEdit(on replica: Replica, random: inout SeededGenerator) throws -> Bool {
        let records = try replica.list(RecordFilter(includeDeleted: true))
        if records.isEmpty || random.chance(0.1) {
            try replica.commit([RecordEdits(.new(id: RecordID.random(using: &random), type: "practice", title: "Practice \(random.next() % 100)"), [])])
            return true
        }
        let id = random.pick(records).id.hex
        let edit: Edit
        switch Int.random(in: 0..<10, using: &random) {
        case 0...2: edit = .set(field: random.pick(["title", "contact"]), value: "v\(random.next() % 5)")
        case 3: edit = .set(field: "implementation_status", value: random.pick(["planned", "ongoing", "completed"]))
        case 4...5: edit = .add(field: random.chance(0.7) ? "partners" : "themes", value: random.pick(partners))
        case 6: edit = .remove(field: "partners", value: random.pick(partners))
        case 7: edit = .add(field: "themes", value: random.pick(themes))
        case 8: edit = .delete
        default: edit = .restore
        }
        do {
            try replica.edit(id, [edit])
            return true
        } catch is InputError {
            return false
        } catch is AuthorizationError {
            return false  // not this participant's record
        }
    }

    /// Every change the replica's log holds.
    static func log(of replica: Replica) throws -> [EncodedChange] {
        try replica.read { try $0.changes().map(\.encoded) }
    }

    /// Checks that every record of `replica` is what the oracle computes from its log.
    static func expectAgreesWithOracle(_ replica: Replica, seed: UInt64) throws {
        // Lists leave the trust record out; the digests compared elsewhere cover it.
        let expected = Oracle.expected(from: try log(of: replica)).filter { $0.value.type != TrustRecord.type }
        let records = try replica.list(RecordFilter(includeDeleted: true))
        #expect(records.count == expected.count, "seed \(seed)")
        for summary in records {
            let state = try replica.record(summary.id.hex)
            #expect(VisibleRecord(state) == expected[summary.id], "seed \(seed), record \(summary.id.short)")
        }
    }

    @Test("3 to 4 replicas, random edits, random partial and duplicated bundles: same digest, and the oracle agrees",
          arguments: 1...10 as ClosedRange<UInt64>)
    func randomSchedules(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let fixture = ReplicaFixture()
        let count = seed % 2 == 0 ? 4 : 3
        let replicas = try (0..<count).map { index in
            try fixture.replica("r\(index)", participant: ["PHL", "PHL", "SEC", "MEX"][Int(index)])
        }
        var sent: [(bytes: [UInt8], to: Int)] = []
        for _ in 0..<70 {
            let actor = Int.random(in: 0..<replicas.count, using: &random)
            switch Int.random(in: 0..<10, using: &random) {
            case 0...5:
                try Self.randomEdit(on: replicas[actor], random: &random)
            case 6...7:
                // A partial bundle: a random subset of the sender's log.
                let target = Int.random(in: 0..<replicas.count, using: &random)
                guard target != actor else { continue }
                let subset = Set(try Self.log(of: replicas[actor]).map(\.hash).filter { _ in random.chance(0.5) })
                guard !subset.isEmpty else { continue }
                let bytes = try replicas[actor].createBundle(selection: subset).bytes
                try replicas[target].applyBundle(bytes)
                sent.append((bytes, target))
            case 8:
                let target = Int.random(in: 0..<replicas.count, using: &random)
                guard target != actor else { continue }
                let bytes = try replicas[actor].createBundle().bytes
                try replicas[target].applyBundle(bytes)
                sent.append((bytes, target))
            default:
                // Replay an old bundle to a random replica: harmless either way.
                guard let old = sent.isEmpty ? nil : random.pick(sent) else { continue }
                let target = Int.random(in: 0..<replicas.count, using: &random)
                let before = try replicas[target].digest()
                let outcome = try replicas[target].applyBundle(old.bytes)
                if target == old.to {
                    #expect(outcome.previouslyApplied != nil, "seed \(seed): a replayed bundle changes nothing where it was applied")
                    #expect(try replicas[target].digest() == before, "seed \(seed)")
                }
            }
            if random.chance(0.1) {
                try Self.expectAgreesWithOracle(random.pick(replicas), seed: seed)
            }
        }
        // Everyone sends everything to everyone, twice: now they hold the same changes.
        for _ in 0..<2 {
            for sender in replicas {
                let bytes = try sender.createBundle().bytes
                for receiver in replicas where receiver !== sender { try receiver.applyBundle(bytes) }
            }
        }
        let digests = try Set(replicas.map { try $0.digest() })
        #expect(digests.count == 1, "seed \(seed)")
        for replica in replicas {
            #expect(try replica.pending().count == 0, "seed \(seed)")
            try Self.expectAgreesWithOracle(replica, seed: seed)
        }
    }

    /// A plain model of what a user expects when nobody edits concurrently.
    struct SequentialModel {
        var fields: [RecordID: [String: String]] = [:]
        var sets: [RecordID: [String: Set<String>]] = [:]
        var deleted: Set<RecordID> = []
    }

    @Test("edits made one after another on different replicas, synced after each, equal a plain sequential model",
          arguments: 1...5 as ClosedRange<UInt64>)
    func sequentialOracle(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed + 1000)
        let fixture = ReplicaFixture()
        let replicas = try (0..<3).map { try fixture.replica("r\($0)", participant: ["PHL", "PHL", "SEC"][$0]) }
        var model = SequentialModel()
        var ids: [RecordID] = []
        for _ in 0..<40 {
            let actor = replicas[Int.random(in: 0..<3, using: &random)]
            if ids.isEmpty || random.chance(0.15) {
                let id = RecordID.random(using: &random)
                try actor.commit([RecordEdits(.new(id: id, type: "practice", title: "Start"), [])])
                ids.append(id)
                model.fields[id] = ["title": "Start"]
            } else {
                let id = random.pick(ids)
                let value = "v\(random.next() % 1000)"
                let partner = random.pick(Self.partners)
                let edit: Edit = switch Int.random(in: 0..<5, using: &random) {
                case 0, 1: .set(field: random.pick(["title", "contact"]), value: value)
                case 2: .add(field: "partners", value: partner)
                case 3: .remove(field: "partners", value: partner)
                default: model.deleted.contains(id) ? .restore : .delete
                }
                do {
                    try actor.edit(id.hex, [edit])
                    switch edit {
                    case .set(let field, let value): model.fields[id, default: [:]][field] = value
                    case .add(let field, let value): model.sets[id, default: [:]][field, default: []].insert(value)
                    case .remove(let field, let value): model.sets[id, default: [:]][field]?.remove(value)
                    case .delete: model.deleted.insert(id)
                    case .restore: model.deleted.remove(id)
                    case .resolve, .textEdits, .writeItems, .transition, .settle: break
                    }
                } catch is InputError {
                    // Refused (editing a deleted record, removing an absent partner): the model is unchanged too.
                } catch is AuthorizationError {
                    // Refused: another participant's record.
                }
            }
            let bytes = try actor.createBundle().bytes
            for other in replicas where other !== actor { try other.applyBundle(bytes) }
        }
        for replica in replicas {
            #expect(try replica.conflicts().isEmpty, "seed \(seed)")
            for id in ids {
                let state = try replica.record(id.hex)
                #expect(state.isDeleted == model.deleted.contains(id), "seed \(seed)")
                for (field, value) in model.fields[id] ?? [:] {
                    #expect(state.registerField(field)?.winner?.value == .string(value), "seed \(seed) \(field)")
                }
                let partners = Set(state.setField("partners")?.elements.compactMap(\.stringValue) ?? [])
                #expect(partners == model.sets[id]?["partners"] ?? [], "seed \(seed)")
            }
        }
    }
}
