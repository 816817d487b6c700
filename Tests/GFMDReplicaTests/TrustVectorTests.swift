import Foundation
@testable import GFMDBundle
import GFMDCore
import GFMDStore
import GFMDTestSupport
import Testing

/// `Protocol/vectors/trust.json`: bundles applied to an empty replica pinning
/// a root key, with the verdict on every change (Protocol/trust.md).
@Suite("Protocol vectors: authorisation")
struct TrustVectorTests {
    /// A bundle to apply, and what must happen to its changes.
    struct Case: Codable {
        let name: String
        let root: String
        let input: String
        let expected: Expected
    }

    /// The verdicts: every change applied (in log order), every change rejected with its code, and the digest.
    struct Expected: Codable, Equatable {
        let applied: [String]
        let rejected: [String: String]
        let digest: String
    }

    /// A change of a bundle that must be rejected with `error`.
    struct Failure: Codable {
        let name: String
        let root: String
        let input: String
        let change: String
        let error: String
    }

    struct File: Codable {
        let kind: String
        let description: String
        let valid: [Case]
        let mustFail: [Failure]

        enum CodingKeys: String, CodingKey {
            case kind, description, valid
            case mustFail = "must_fail"
        }
    }

    static let url = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Protocol/vectors/trust.json")

    /// Applies `bundle` to an empty replica that pins `root`, and reports what happened.
    static func verdicts(root: SitePublicKey, bundle: [UInt8]) throws -> Expected {
        let directory = TemporaryDirectory("gfmd-trust-vector")
        let store = try ReplicaStore(path: directory.path("replica.sqlite").path)
        try store.write { writer in
            try writer.initialise(StoredIdentity(publicKey: SiteSigningKey().publicKey, participant: "SEC", author: "Vector runner"))
            try writer.pin(root: root)
        }
        let commits = try Bundle(reading: bundle).verifiedCommits()
        _ = try store.write { try $0.apply(commits) }
        return try store.read { reader in
            Expected(applied: try reader.changes().map(\.hash.hex).sorted(),
                     rejected: Dictionary(uniqueKeysWithValues: try reader.rejectedChanges().map { ($0.encoded.hash.hex, $0.code) }),
                     digest: try reader.digest())
        }
    }

    static func key(_ hex: String) throws -> SitePublicKey {
        try SitePublicKey(rawRepresentation: try #require(Hex.decode(hex)))
    }

    /// Checks every vector of the file against the verdicts `judge` gives a bundle.
    static func checkVectors(_ judge: (SitePublicKey, [UInt8]) throws -> Expected) throws {
        let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
        #expect(file.kind == "trust" && !file.valid.isEmpty && !file.mustFail.isEmpty)
        for vector in file.valid {
            let actual = try judge(key(vector.root), try #require(Hex.decode(vector.input)))
            #expect(actual == vector.expected, "\(vector.name)")
        }
        for vector in file.mustFail {
            let actual = try judge(key(vector.root), try #require(Hex.decode(vector.input)))
            #expect(actual.rejected[vector.change] == vector.error, "\(vector.name): \(actual.rejected)")
            #expect(!actual.applied.contains(vector.change), "\(vector.name)")
        }
    }

    @Test("every authorisation vector in Protocol/vectors/trust.json passes")
    func vectors() throws {
        try Self.checkVectors(Self.verdicts)
    }

    /// The same verdicts from the admission machine alone, on a replica in memory: no SQLite.
    static func admitted(root: SitePublicKey, bundle: [UInt8]) throws -> Expected {
        let ledger = MemoryLedger(root: root)
        let changes = try Bundle(reading: bundle).verifiedCommits().enumerated().flatMap { commit in
            commit.element.leaves.map { ($0.change, Arrival(commitID: Int64(commit.offset), leafIndex: $0.index, bundleID: nil)) }
        }
        try ledger.admit(changes)
        return Expected(applied: ledger.log.map(\.hash.hex).sorted(),
                        rejected: Dictionary(uniqueKeysWithValues: ledger.rejected.map { ($0.key.hex, $0.value) }),
                        digest: ledger.digest)
    }

    @Test("every authorisation vector passes through the admission machine alone, with no database")
    func vectorsWithoutDatabase() throws {
        try Self.checkVectors(Self.admitted)
    }

    @Test("regenerate Protocol/vectors/trust.json", .enabled(if: ProcessInfo.processInfo.environment["GFMD_REGENERATE_VECTORS"] == "1"))
    func regenerate() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(try TrustVectorGenerator.file())
        data.append(0x0A)
        try data.write(to: Self.url)
    }
}

/// Builds the authorisation vectors from fixed keys and times.
enum TrustVectorGenerator {
    static let base: UInt64 = 1_795_000_000_000
    static let record = RecordID(hex: "0123456789abcdef0123456789abcdef")!

    static func file() throws -> TrustVectorTests.File {
        let root = try SiteSigningKey(rawRepresentation: [UInt8](repeating: 10, count: 32))
        let rootHex = Hex.encode(root.publicKey.rawRepresentation)
        var secretariat = TestSite(seed: 11, participant: "SEC", author: "Ana Lopez", wall: base)
        var phl = TestSite(seed: 1, participant: "PHL", author: "María Santos", wall: base + 100)
        var mex = TestSite(seed: 3, participant: "MEX", author: "Luis García", wall: base + 100)
        var observer = TestSite(seed: 4, participant: "IOM", author: "Observer", wall: base + 100)
        var stranger = TestSite(seed: 5, participant: "PHL", author: "Stranger", wall: base + 100)
        var revokedSite = TestSite(seed: 6, participant: "PHL", author: "Lost laptop", wall: base + 100)
        var expiredSite = TestSite(seed: 7, participant: "PHL", author: "Old laptop", wall: base + 5_000)
        var claimsMexico = TestSite(seed: 1, participant: "MEX", author: "María Santos", wall: base + 100)
        let year = HybridTimestamp(milliseconds: base + 365 * 86_400_000, counter: 0)
        var serial: UInt64 = 0
        func certificate(_ site: TestSite, _ role: Role, until: HybridTimestamp = year, by key: SiteSigningKey = root) -> Certificate {
            serial += 1
            return Certificate.issue(serial: serial, siteKey: site.key.publicKey, participant: site.participant, role: role,
                                     notBefore: HybridTimestamp(milliseconds: base, counter: 0), notAfter: until, root: key)
        }
        let trust = TrustRecord.id(for: root.publicKey)
        let lost = certificate(revokedSite, .delegate)
        let t0 = secretariat.change(trust, on: [], [.create(type: TrustRecord.type, owner: "SEC"), .certify(certificate(secretariat, .secretariat))])
        let t1 = secretariat.change(trust, on: [t0.hash], [
            .certify(certificate(phl, .delegate)), .certify(certificate(mex, .delegate)), .certify(certificate(observer, .observer)),
            .certify(lost), .certify(certificate(expiredSite, .delegate, until: HybridTimestamp(milliseconds: base + 1_000, counter: 0))),
        ])
        let t2 = secretariat.change(trust, on: [t1.hash], [.revoke(Revocation.issue(lost, at: HybridTimestamp(milliseconds: base + 50, counter: 0), reason: "laptop lost", root: root))])
        let create = phl.change(record, on: [t1.hash], [.create(type: "practice", owner: "PHL"), .set(field: "title", value: .string("Diaspora bonds"), pred: [])])
        let submit = phl.change(record, on: [create.hash], [.set(field: Workflow.field, value: .string("submitted"), pred: [])])
        let start = secretariat.change(record, on: [submit.hash], [.set(field: Workflow.field, value: .string("under_review"), pred: [submit.hash])])
        let accept = secretariat.change(record, on: [start.hash], [.set(field: Workflow.field, value: .string("accepted"), pred: [start.hash])])
        let history = [t0, t1, t2, create, submit]

        func bundle(_ changes: [EncodedChange]) -> [UInt8] {
            let keys = [secretariat, phl, mex, observer, stranger, revokedSite, expiredSite, claimsMexico].map(\.key)
            let commits = changes.map { change in
                BundleCommit(VerifiedCommit.signing([change], with: keys.first { $0.siteID == change.change.site }!))
            }
            return Bundle.encode(commits, sender: secretariat.key, participant: "SEC",
                                 created: HybridTimestamp(milliseconds: Self.base + 10_000, counter: 0), level: 6, version: 3)
        }
        let contact = ChangeOperation.set(field: "contact", value: .string("Desk"), pred: [])
        // The same keys on clocks of their own, so that the older vectors keep their bytes.
        var laterPHL = TestSite(seed: 1, participant: "PHL", author: "María Santos", wall: base + 200)
        var laterMEX = TestSite(seed: 3, participant: "MEX", author: "Luis García", wall: base + 200)
        let other = laterPHL.change(RecordID(hex: "00000000000000000000000000000005")!, on: [t1.hash], [
            .create(type: "knowledge_gap", owner: "PHL"), .set(field: "theme", value: .string("Data"), pred: []),
        ])
        // MEX creates PHL's record again, as its own: valid by itself, it leaves the record contested.
        let recreated = laterMEX.change(record, on: [t1.hash], [.create(type: "practice", owner: "MEX")])
        let again = laterPHL.change(record, on: [t1.hash], [.create(type: "practice", owner: "PHL"), .set(field: "contact", value: .string("Desk B"), pred: [])])
        // The secretariat settles the contested record for PHL; PHL edits it again.
        var laterSEC = TestSite(seed: 11, participant: "SEC", author: "Ana Lopez", wall: base + 300)
        var settledPHL = TestSite(seed: 1, participant: "PHL", author: "María Santos", wall: base + 400)
        let settlement = laterSEC.change(record, on: [submit.hash, recreated.hash], [
            .set(field: Settlement.field, value: Settlement.value(for: RecordIdentity(type: "practice", owner: "PHL")), pred: []),
        ])
        let afterSettlement = settledPHL.change(record, on: [settlement.hash], [.set(field: Workflow.field, value: .string("withdrawn"), pred: [submit.hash])])
        var creatingPHL = TestSite(seed: 1, participant: "PHL", author: "María Santos", wall: base + 500)
        let publishedAtBirth = creatingPHL.change(RecordID(hex: "00000000000000000000000000000006")!, on: [t1.hash], [
            .create(type: "practice", owner: "PHL"), .set(field: "title", value: .string("Never reviewed"), pred: []),
            .set(field: Workflow.field, value: .string("accepted"), pred: []),
        ])
        let notedAtBirth = creatingPHL.change(RecordID(hex: "00000000000000000000000000000007")!, on: [t1.hash], [
            .create(type: "practice", owner: "PHL"), .set(field: Workflow.noteField, value: .string("Approved"), pred: []),
        ])
        // Two copies of PHL's folder that could not tell insert with the same element id (state.md, "Element labels").
        var firstCopy = TestSite(seed: 1, participant: "PHL", author: "María Santos", wall: base + 600)
        var secondCopy = TestSite(seed: 1, participant: "PHL", author: "María Santos", wall: base + 700)
        let textRecord = RecordID(hex: "00000000000000000000000000000008")!
        func typing(_ counter: UInt64, after left: UInt64?, _ content: String) -> ChangeOperation {
            .text(field: "summary", item: nil, edits: [.insert(counter: counter, left: left.map { CharID(site: phl.id, counter: $0) }, right: nil,
                                                              content: Array(content.unicodeScalars))])
        }
        func deleting(_ site: SiteID, _ counter: UInt64) -> ChangeOperation {
            .text(field: "summary", item: nil, edits: [.delete([CharRange(site: site, counter: counter, count: 1)])])
        }
        let typedBase = firstCopy.change(textRecord, on: [t1.hash], [.create(type: "practice", owner: "PHL"), typing(0, after: nil, "abcd")])
        let typedX = firstCopy.change(textRecord, on: [typedBase.hash], [typing(10, after: 3, "X")])
        let typedY = secondCopy.change(textRecord, on: [typedBase.hash], [typing(10, after: 1, "Y")])
        let afterX = firstCopy.change(textRecord, on: [typedX.hash], [typing(20, after: 10, "Z")])
        let bothTyped = [typedX.hash, typedY.hash].sorted()
        let deletedY = firstCopy.change(textRecord, on: bothTyped, [deleting(SiteID.elementLabel(of: typedY.hash), 10)])
        let lockedEdit = phl.change(record, on: [submit.hash], [contact])
        let forgedRoot = try SiteSigningKey(rawRepresentation: [UInt8](repeating: 99, count: 32))
        let failures: [(String, EncodedChange, [EncodedChange], String)] = [
            ("a key no certificate names", stranger.change(record, on: [create.hash], [contact]), [], "unenrolled"),
            ("a site whose revocation is in the change's causal past", revokedSite.change(record, on: [create.hash, t2.hash], [contact]), [], "revoked"),
            ("a change dated after its site's certificate expired", expiredSite.change(record, on: [create.hash], [contact]), [], "expired"),
            ("an observer creating a record", observer.change(RecordID(hex: "00000000000000000000000000000004")!, on: [t1.hash], [
                .create(type: "practice", owner: "IOM"), .set(field: "title", value: .string("Observed"), pred: []),
            ]), [], "wrong_role"),
            ("a PHL key signing a change that claims MEX", claimsMexico.change(record, on: [create.hash], [contact]), [], "wrong_participant"),
            ("MEX editing a PHL record", mex.change(record, on: [create.hash], [contact]), [], "not_contributor"),
            ("a delegation accepting its own submission", phl.change(record, on: [submit.hash], [
                .set(field: Workflow.field, value: .string("accepted"), pred: [submit.hash]),
            ]), [], "illegal_transition"),
            ("a delegation editing a submitted record", lockedEdit, [], "locked"),
            ("a change built on a rejected change", phl.change(record, on: [lockedEdit.hash], [.add(field: "themes", element: .string("x"))]), [lockedEdit], "depends_on_rejected"),
            ("a certificate signed by another key than the root", secretariat.change(trust, on: [t2.hash], [
                .certify(certificate(stranger, .delegate, by: forgedRoot)),
            ]), [], "invalid_certificate"),
            ("a delegate writing the trust record", phl.change(trust, on: [t2.hash], [.certify(certificate(stranger, .delegate))]), [], "wrong_role"),
            ("an edit with no change of its record in its causal past", laterPHL.change(record, on: [t1.hash], [contact]), [], "missing_create"),
            ("a create that also depends on a change of its record", laterPHL.change(record, on: [create.hash], [.create(type: "practice", owner: "PHL")]), [], "foreign_dependency"),
            ("a change depending on a change of another record", laterPHL.change(record, on: [create.hash, other.hash], [contact]), [other], "foreign_dependency"),
            ("a set field written whole", laterPHL.change(record, on: [create.hash], [.set(field: "partners", value: .string("IOM"), pred: [])]), [], "wrong_kind"),
            ("a change on two creates that disagree on the owner", laterMEX.change(record, on: [create.hash, recreated.hash], [contact]), [recreated], "conflicting_create"),
            ("a delegation creating a record already accepted: a create's operations are judged on a draft", publishedAtBirth, [], "illegal_transition"),
            ("a delegation creating a record with a review note", notedAtBirth, [], "wrong_role"),
            ("a delegation settling a contested record", settledPHL.change(record, on: [submit.hash, recreated.hash], [
                .set(field: Settlement.field, value: Settlement.value(for: RecordIdentity(type: "practice", owner: "PHL")), pred: []),
            ]), [recreated], "wrong_role"),
            ("a settlement naming an owner no create in its causal past names", laterSEC.change(record, on: [submit.hash, recreated.hash], [
                .set(field: Settlement.field, value: Settlement.value(for: RecordIdentity(type: "practice", owner: "SEC")), pred: []),
            ]), [recreated], "conflicting_create"),
            ("an edit by the settlement's loser made on both creates but not on the settlement",
             laterMEX.change(record, on: [submit.hash, recreated.hash], [contact]), [recreated, settlement], "conflicting_create"),
            ("an id two changes of the causal past inserted, named by its site rather than by an element label",
             firstCopy.change(textRecord, on: bothTyped, [deleting(phl.id, 10)]), [typedBase, typedX, typedY], "unknown_element"),
            ("an element label naming an id only one change of the causal past inserted",
             firstCopy.change(textRecord, on: [typedX.hash], [deleting(SiteID.elementLabel(of: typedX.hash), 10)]), [typedBase, typedX], "unknown_element"),
            ("an insertion taking an id a change of its causal past took", firstCopy.change(textRecord, on: [typedX.hash], [typing(10, after: nil, "W")]),
             [typedBase, typedX], "duplicate_element"),
        ]
        let valid = history + [start, accept]
        return TrustVectorTests.File(
            kind: "trust",
            description: "Authorisation (Protocol/trust.md). Apply input (a bundle file, hex) to an empty replica that pins root (an Ed25519 public key, hex). valid: the ids of the changes applied (ascending), those rejected with their codes, and the digest. must_fail: change must be rejected with error.",
            valid: try [
                ("enrolment, then a record created, submitted, reviewed and accepted", valid),
                ("a record created twice alike: the creation is the create with the least (timestamp, id)", history + [again]),
                ("a record created again by another participant: contested, its type kept, its owner empty", history + [recreated]),
                ("a contested record settled by the secretariat for PHL: PHL's again, and PHL's change on the settlement is authorised",
                 history + [recreated, settlement, afterSettlement]),
                ("two concurrent changes of one site taking the same element id, the first copy's arriving first: both kept, by their element labels",
                 history + [typedBase, typedX, afterX, typedY, deletedY]),
                ("the same changes, the second copy's arriving first: the same state",
                 history + [typedBase, typedY, typedX, deletedY, afterX]),
            ].map { name, changes in
                TrustVectorTests.Case(name: name, root: rootHex, input: Hex.encode(bundle(changes)),
                                      expected: try TrustVectorTests.verdicts(root: root.publicKey, bundle: bundle(changes)))
            },
            mustFail: failures.map { name, change, before, error in
                TrustVectorTests.Failure(name: name, root: rootHex, input: Hex.encode(bundle(history + before + [change])),
                                         change: change.hash.hex, error: error)
            })
    }
}
