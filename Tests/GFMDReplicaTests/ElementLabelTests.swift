import Foundation
import GFMDCore
@testable import GFMDStore
import GFMDTestSupport
import GRDB
import Testing

/// Two copies of one replica folder that cannot tell they were copied (a disk
/// image cloned whole) insert with the same element ids. Rule 8 and "Element
/// labels" (state.md) decide what happens from the causal past alone: both
/// insertions are kept, every replica agrees whatever the order of arrival,
/// and later edits name each element without ambiguity.
@Suite("Element ids two copies of one site took alike")
struct ElementLabelTests {
    private static let field = "summary"

    private static func text(_ counter: UInt64, after left: CharID?, before right: CharID? = nil, _ content: String) -> ChangeOperation {
        .text(field: field, item: nil, edits: [.insert(counter: counter, left: left, right: right, content: Array(content.unicodeScalars))])
    }

    private static func delete(_ site: SiteID, _ counter: UInt64, count: UInt64 = 1) -> ChangeOperation {
        .text(field: field, item: nil, edits: [.delete([CharRange(site: site, counter: counter, count: count)])])
    }

    /// What one store made of the changes, in one order.
    private struct Outcome: Equatable {
        var digest: String
        var text: String
        var rejected: [ChangeHash: String]
        var pending: Int
    }

    /// Applies `changes` (each with the key that signs it), one commit at a
    /// time in `order`, to a fresh store of `universe`.
    private static func outcome(
        of changes: [(EncodedChange, SiteSigningKey)], order: [Int], record: RecordID, universe: HostileUniverse, in directory: TemporaryDirectory, name: String
    ) throws -> Outcome {
        let store = try ReplicaStore(path: directory.path("\(name).sqlite").path)
        try store.write { writer in
            try writer.initialise(StoredIdentity(publicKey: SiteSigningKey().publicKey, participant: "SEC", author: "Store"))
            try writer.pin(root: universe.root.publicKey)
        }
        _ = try store.write { try $0.apply(universe.baseTrust.map { VerifiedCommit.signing([$0], with: universe.secretariat.key) }) }
        for index in order {
            _ = try store.write { try $0.apply([VerifiedCommit.signing([changes[index].0], with: changes[index].1)]) }
        }
        return try store.read { reader in
            Outcome(
                digest: try reader.digest(),
                text: try reader.record(record)?.textField(field)?.text ?? "",
                rejected: Dictionary(uniqueKeysWithValues: try reader.rejectedChanges().map { ($0.encoded.hash, $0.code) }),
                pending: try reader.pendingChanges().count)
        }
    }

    @Test("two copies' insertions with the same ids are both kept, in every order, and later edits name each",
          arguments: [0, 9_000])
    func collidingInsertions(padding: Int) throws {
        let directory = TemporaryDirectory("gfmd-element-labels-\(padding)")
        let universe = HostileUniverse()
        var maria = universe.actors[0], jose = universe.actors[1]
        var copy = maria.site // the cloned folder: the same key, its own clock
        let s = maria.site.id
        let record = testRecordID(91)
        let create = maria.site.change(record, on: [maria.certification], [
            .create(type: "practice", owner: "PHL"), Self.text(0, after: nil, "abcd"),
        ] + (padding > 0 ? [.text(field: "lessons", item: nil, edits: [
            // A record large enough to be stored as a checkpoint and a tail of changes.
            .insert(counter: 0, left: nil, right: nil, content: Array(String(repeating: "x", count: padding).unicodeScalars)),
        ])] : []))
        // The issue's case: both copies take counter 10, after different elements.
        let typedX = maria.site.change(record, on: [create.hash], [Self.text(10, after: CharID(site: s, counter: 3), "X")])
        let typedY = copy.change(record, on: [create.hash], [Self.text(10, after: CharID(site: s, counter: 1), "Y")])
        let labelX = SiteID.elementLabel(of: typedX.hash), labelY = SiteID.elementLabel(of: typedY.hash)
        // Made by the first copy before it heard of the second: 10 is its X.
        let afterX = maria.site.change(record, on: [typedX.hash], [Self.text(20, after: CharID(site: s, counter: 10), "Z")])
        // Made by a colleague who holds both: the id is ambiguous, the labels are not.
        let both = [typedX.hash, typedY.hash].sorted()
        let ambiguous = jose.site.change(record, on: both + [jose.certification], [Self.delete(s, 10)])
        let byLabel = jose.site.change(record, on: both + [jose.certification], [Self.delete(labelY, 10)])
        // A label names an element only where its id is ambiguous in the causal past.
        let labelUnseen = jose.site.change(record, on: [typedX.hash, jose.certification], [Self.delete(labelX, 10)])
        let changes = [
            (create, maria.site.key), (typedX, maria.site.key), (typedY, maria.site.key), (afterX, maria.site.key),
            (ambiguous, jose.site.key), (byLabel, jose.site.key), (labelUnseen, jose.site.key),
        ]
        let orders = [[0, 1, 2, 3, 4, 5, 6], [0, 2, 1, 3, 4, 5, 6], [0, 1, 3, 2, 6, 5, 4], [0, 2, 5, 1, 4, 3, 6], [0, 1, 6, 3, 2, 5, 4]]
        var outcomes: [Outcome] = []
        for (index, order) in orders.enumerated() {
            outcomes.append(try Self.outcome(of: changes, order: order, record: record, universe: universe, in: directory, name: "store\(index)"))
        }
        for (outcome, order) in zip(outcomes, orders).dropFirst() {
            #expect(outcome == outcomes[0], "order \(order)")
        }
        // Y deleted by its label; X and the Z typed after it kept, where their authors put them.
        #expect(outcomes[0].text == "abcdXZ")
        #expect(outcomes[0].rejected == [ambiguous.hash: "unknown_element", labelUnseen.hash: "unknown_element"])
        #expect(outcomes[0].pending == 0)
    }
}

extension ElementLabelTests {
    @Test("the audit history shows what a deletion removed, where the element it named by its id goes by a label")
    func auditOfLabelledDeletion() throws {
        let directory = TemporaryDirectory("gfmd-element-labels-audit")
        let universe = HostileUniverse()
        var maria = universe.actors[0]
        var copy = maria.site
        let s = maria.site.id
        let record = testRecordID(93)
        let create = maria.site.change(record, on: [maria.certification], [.create(type: "practice", owner: "PHL"), Self.text(0, after: nil, "abcd")])
        let typedX = maria.site.change(record, on: [create.hash], [Self.text(10, after: CharID(site: s, counter: 3), "X")])
        let typedY = copy.change(record, on: [create.hash], [Self.text(10, after: CharID(site: s, counter: 1), before: CharID(site: s, counter: 2), "Y")])
        // Made before the first copy heard of the second: 10 is its X, by id.
        let deletedX = maria.site.change(record, on: [typedX.hash], [Self.delete(s, 10)])
        let changes = [create, typedX, typedY, deletedX].map { ($0, maria.site.key) }
        let outcome = try Self.outcome(of: changes, order: [0, 1, 2, 3], record: record, universe: universe, in: directory, name: "store")
        #expect(outcome.text == "abYcd")
        let store = try ReplicaStore(path: directory.path("store.sqlite").path)
        let audit = directory.path("audit.sqlite")
        _ = try store.writeAuditDatabase(to: audit)
        let ops = try DatabaseQueue(path: audit.path).read {
            try String.fetchOne($0, sql: "SELECT ops FROM change WHERE hash = ?", arguments: [deletedX.hash.data])
        }
        #expect(ops?.contains("\"deleted\":\"X\"") == true, "\(ops ?? "")")
    }
}

/// Copies of one site that cannot tell, and a colleague, edit a text and a
/// list offline and exchange their changes in random orders, lost and late:
/// every store ends alike, nothing is rejected, and every character typed
/// is there unless someone deleted it.
@Suite("Copies that took the same element ids converge")
struct ElementLabelPropertyTests {
    /// A laptop: its store and the changes it holds.
    private final class Laptop {
        let store: ReplicaStore
        var site: TestSite
        var held: [ChangeHash: EncodedChange] = [:]
        var order: [ChangeHash] = []

        init(store: ReplicaStore, site: TestSite) {
            self.store = store
            self.site = site
        }

        func receive(_ change: EncodedChange, signedBy key: SiteSigningKey) throws {
            guard held[change.hash] == nil else { return }
            held[change.hash] = change
            order.append(change.hash)
            _ = try store.write { try $0.apply([VerifiedCommit.signing([change], with: key)]) }
        }
    }

    @Test("random edits by two copies of one site and a colleague converge, losing nothing", arguments: 0..<60)
    func converge(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let directory = TemporaryDirectory("gfmd-element-label-property")
        let universe = HostileUniverse()
        let maria = universe.actors[0], jose = universe.actors[1]
        let record = testRecordID(92)
        var laptops: [Laptop] = []
        var keys: [ChangeHash: SiteSigningKey] = [:]
        for (index, actor) in [maria, maria, jose].enumerated() {
            let store = try ReplicaStore(path: directory.path("laptop\(index).sqlite").path)
            try store.write { writer in
                try writer.initialise(StoredIdentity(publicKey: actor.site.key.publicKey, participant: "PHL", author: "Laptop \(index)"))
                try writer.pin(root: universe.root.publicKey)
            }
            _ = try store.write { try $0.apply(universe.baseTrust.map { VerifiedCommit.signing([$0], with: universe.secretariat.key) }) }
            laptops.append(Laptop(store: store, site: actor.site))
        }
        // A background paper: its sections are a list; "summary", unknown to the type, takes text edits.
        let create = laptops[0].site.change(record, on: [maria.certification], [.create(type: "background_paper", owner: "PHL")])
        keys[create.hash] = maria.site.key
        for laptop in laptops { try laptop.receive(create, signedBy: maria.site.key) }

        var typed = Set<Unicode.Scalar>(), deleted = Set<Unicode.Scalar>()
        var nextScalar: UInt32 = 0x4E00
        for _ in 0..<40 {
            let laptop = laptops[Int.random(in: 0..<3, using: &random)]
            if Bool.random(using: &random) {
                // An edit: typing into the text or a new list item, or deleting.
                let state = try #require(try laptop.store.read { try $0.record(record) })
                let heads = try laptop.store.read { try $0.heads(of: record) }
                var text = state.textField("summary") ?? SequenceState()
                var items = state.listField("sections")?.items ?? SequenceState()
                let itemTexts = state.listField("sections")?.texts ?? [:]
                let operation: ChangeOperation
                switch Int.random(in: 0..<4, using: &random) {
                case 0 where text.count > 0:
                    let at = Int.random(in: 0..<text.count, using: &random), count = min(2, text.count - at)
                    deleted.formUnion(text.scalars(from: at, count: count))
                    operation = .text(field: "summary", item: nil, edits: [.delete(text.delete(at: at, count: count))])
                case 1:
                    let at = Int.random(in: 0...items.count, using: &random)
                    guard case .inserted(let edit) = items.insert([SequenceEdit.itemPlaceholder], at: at, by: laptop.site.id) else { continue }
                    operation = .list(field: "sections", edits: [edit])
                case 2 where !items.visibleIDs.isEmpty:
                    let item = items.visibleIDs[Int.random(in: 0..<items.visibleIDs.count, using: &random)]
                    var itemText = itemTexts[item] ?? SequenceState()
                    let scalar = Unicode.Scalar(nextScalar)!
                    nextScalar += 1
                    typed.insert(scalar)
                    guard case .inserted(let edit) = itemText.insert([scalar], at: Int.random(in: 0...itemText.count, using: &random), by: laptop.site.id) else { continue }
                    operation = .text(field: "sections", item: item, edits: [edit])
                default:
                    let content = (0..<Int.random(in: 1...3, using: &random)).map { _ in
                        defer { nextScalar += 1 }
                        return Unicode.Scalar(nextScalar)!
                    }
                    typed.formUnion(content)
                    guard case .inserted(let edit) = text.insert(content, at: Int.random(in: 0...text.count, using: &random), by: laptop.site.id) else { continue }
                    operation = .text(field: "summary", item: nil, edits: [edit])
                }
                let change = laptop.site.change(record, on: heads, state.namingElements([operation]))
                keys[change.hash] = laptop.site.key
                try laptop.receive(change, signedBy: laptop.site.key)
            } else {
                // An exchange: some of what one laptop holds reaches another, in any order.
                let from = laptops[Int.random(in: 0..<3, using: &random)], to = laptops[Int.random(in: 0..<3, using: &random)]
                for hash in from.order.shuffled(using: &random) where Int.random(in: 0..<4, using: &random) > 0 {
                    try to.receive(from.held[hash]!, signedBy: keys[hash]!)
                }
            }
        }
        for _ in 0..<2 {
            for from in laptops {
                for to in laptops where to !== from {
                    for hash in from.order.shuffled(using: &random) { try to.receive(from.held[hash]!, signedBy: keys[hash]!) }
                }
            }
        }
        let digests = try laptops.map { laptop in try laptop.store.read { try $0.digest() } }
        #expect(Set(digests).count == 1, "seed \(seed): every laptop ends alike")
        for laptop in laptops {
            let rejected = try laptop.store.read { try $0.rejectedChanges().map { "\($0.encoded.hash.short) \($0.code): \($0.reason)" } }
            #expect(rejected.isEmpty, "seed \(seed): nothing an officer typed is rejected")
        }
        let state = try #require(try laptops[0].store.read { try $0.record(record) })
        var present = Set(state.textField("summary")?.scalars ?? [])
        for text in (state.listField("sections")?.texts.values).map(Array.init) ?? [] { present.formUnion(text.scalars) }
        #expect(present == typed.subtracting(deleted), "seed \(seed): every character typed is there unless deleted")

    }
}
