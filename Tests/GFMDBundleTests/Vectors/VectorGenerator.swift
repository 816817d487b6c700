import Foundation
import GFMDCore
@testable import GFMDBundle
import GFMDTestSupport

/// Writes `Protocol/vectors` from fixed keys and times. Run it only when the
/// format changes (`GFMD_REGENERATE_VECTORS=1 swift test --filter regenerate`),
/// and commit the result with the spec text that explains it.
enum VectorGenerator {
    typealias M = VectorModels

    static func write(to directory: URL) throws {
        try writeJSON(changes(), to: directory.appendingPathComponent("changes.json"))
        try writeJSON(merkle(), to: directory.appendingPathComponent("merkle.json"))
        try writeJSON(state(), to: directory.appendingPathComponent("state.json"))
        try writeJSON(certificates(), to: directory.appendingPathComponent("certificates.json"))
        let (goldens, bundles) = try bundles()
        for (version, golden) in goldens.enumerated() {
            try Data(golden).write(to: directory.appendingPathComponent("golden-v\(version + 1).gfmd"))
        }
        try writeJSON(bundles, to: directory.appendingPathComponent("bundles.json"))
        try writeJSON(sync(), to: directory.appendingPathComponent("sync.json"))
        try writeJSON(http(), to: directory.appendingPathComponent("http.json"))
    }

    static func writeJSON<T: Encodable>(_ value: T, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(0x0A)
        try data.write(to: url)
    }

    static let record = RecordID(hex: "0123456789abcdef0123456789abcdef")!

    // MARK: Changes

    static func changes() -> M.File<M.Case<M.ChangeJSON>, M.Failure> {
        var maria = TestSite(seed: 1, participant: "PHL", author: "María Santos")
        let create = maria.change(record, on: [], [
            .create(type: "practice", owner: "PHL"),
            .set(field: "title", value: .string("Diaspora bonds"), pred: []),
            .set(field: "start_date", value: .string("2025-01-15"), pred: []),
            .add(field: "partners", element: .string("IOM")),
        ])
        let edit = maria.change(record, on: [create.hash], [
            .set(field: "title", value: .string("Diaspora bonds for development"), pred: [create.hash]),
            .remove(field: "partners", element: .string("IOM"), observed: [create.hash]),
            .setDeleted(true, pred: []),
        ])
        var li = TestSite(seed: 2, participant: "CHN", author: "李华")
        let unicode = li.change(record, on: [create.hash, edit.hash], [
            .set(field: "sections", value: .list(["مقدمة", "背景", "Résumé 👩🏽‍💻"]), pred: []),
            .setDeleted(false, pred: [edit.hash]),
        ])
        let future = li.change(record, on: [unicode.hash], [
            .unknown(kind: 99, payload: [0xDE, 0xAD]),
            .set(field: "new_field", value: .unknown(kind: 7, payload: [1, 2, 3]), pred: []),
        ])
        let text = li.change(record, on: [future.hash], [
            .text(field: "summary", item: nil, edits: [
                .insert(counter: 0, left: nil, right: nil, content: Array("Bonos de la diáspora".unicodeScalars)),
                .insert(counter: 20, left: CharID(site: li.id, counter: 19), right: CharID(site: maria.id, counter: 2), content: Array(" 👩🏽‍💻".unicodeScalars)),
                .delete([CharRange(site: li.id, counter: 3, count: 2), CharRange(site: maria.id, counter: 7, count: 1)]),
            ]),
        ])
        // A range's base: the previous range's end, but after an insertion that insertion's counter.
        let rangeBase = li.change(record, on: [text.hash], [
            .text(field: "summary", item: nil, edits: [
                .delete([CharRange(site: li.id, counter: 10, count: 2)]),
                .insert(counter: 40, left: CharID(site: li.id, counter: 39), right: nil, content: Array("abc".unicodeScalars)),
                .delete([CharRange(site: li.id, counter: 41, count: 1), CharRange(site: li.id, counter: 50, count: 3)]),
            ]),
        ])
        // A copied folder's site skips ahead to its counter floor (changes.md, "Sequence edits").
        let skipAhead = li.change(record, on: [rangeBase.hash], [
            .text(field: "summary", item: nil, edits: [
                .insert(counter: 1 << 40, left: CharID(site: li.id, counter: 42), right: nil, content: Array(" de la copia".unicodeScalars)),
            ]),
        ])
        let list = maria.change(record, on: [text.hash], [
            .list(field: "sections", edits: [
                .insert(counter: 0, left: nil, right: nil, content: [SequenceEdit.itemPlaceholder, SequenceEdit.itemPlaceholder]),
            ]),
            .text(field: "sections", item: CharID(site: maria.id, counter: 1), edits: [
                .insert(counter: 0, left: nil, right: nil, content: Array("Background".unicodeScalars)),
            ]),
        ])
        let root = try! SiteSigningKey(rawRepresentation: [UInt8](repeating: 10, count: 32))
        var secretariat = TestSite(seed: 11, participant: "SEC", author: "Ana Lopez")
        let trustRecord = TrustRecord.id(for: root.publicKey)
        let until = HybridTimestamp(milliseconds: 1_795_000_000_000 + 365 * 86_400_000, counter: 0)
        let enrol = secretariat.change(trustRecord, on: [], [
            .create(type: TrustRecord.type, owner: "SEC"),
            .certify(Certificate.issue(serial: 1, siteKey: secretariat.key.publicKey, participant: "SEC", role: .secretariat,
                                       notBefore: .zero, notAfter: until, root: root)),
        ])
        let valid = [("create a practice with fields", create), ("edit naming pred and observed additions, then delete", edit),
                     ("list value, Arabic, Chinese and emoji, restore", unicode), ("operation and value kinds of a newer version", future),
                     ("version 2: text insertions and deletions across sites", text),
                     ("version 2: a range counts from the previous range's end, or from the counter of an insertion between them", rangeBase),
                     ("version 2: a site's counters skip ahead (a copied folder's floor, 2^40)", skipAhead),
                     ("version 2: list items and an item's text", list),
                     ("version 3: the trust record created with a certificate", enrol)]
            .map { M.Case(name: $0.0, input: Hex.encode($0.1.bytes), expected: M.ChangeJSON($0.1)) }

        func raw(version: UInt8 = 1, author: [UInt8] = Array("A".utf8), dependencies: [Hash256], timestamp: [UInt8] = [0x01],
                 operations: [[UInt8]]) -> [UInt8] {
            var w = ByteWriter()
            w.write(byte: version)
            w.write(id: record)
            w.write(id: maria.id)
            w.write(string: "PHL")
            w.write(lengthPrefixed: author)
            w.write(raw: timestamp)
            w.write(count: dependencies.count)
            for d in dependencies { w.write(hash: d) }
            w.write(count: operations.count)
            for o in operations { w.write(raw: o) }
            return w.bytes
        }
        func op(_ operation: ChangeOperation) -> [UInt8] {
            let bytes = Change(record: record, site: maria.id, participant: "PHL", author: "A", timestamp: .zero,
                               dependencies: [], operations: [operation]).canonicalEncoding()
            return Array(bytes.suffix(operation.encodedLength))
        }
        let setTitle = op(.set(field: "title", value: .string("x"), pred: []))
        func textOp(_ edit: [UInt8], item: [UInt8] = [0], sites: [SiteID] = [], kind: UInt64 = 6, field: String = "summary") -> [UInt8] {
            var payload = ByteWriter()
            payload.write(string: field)
            payload.write(raw: item)     // [0]: no list item (text operations only)
            payload.write(count: sites.count)
            for site in sites { payload.write(id: site) }
            payload.write(count: 1)      // one edit
            payload.write(raw: edit)
            var w = ByteWriter()
            w.write(varint: kind)
            w.write(lengthPrefixed: payload.bytes)
            return w.bytes
        }
        func rawOp(_ kind: UInt64, _ payload: [UInt8]) -> [UInt8] {
            var w = ByteWriter()
            w.write(varint: kind)
            w.write(lengthPrefixed: payload)
            return w.bytes
        }
        var longField = ByteWriter()
        longField.write(string: String(repeating: "f", count: 257))
        let createOp = op(.create(type: "practice", owner: "PHL"))
        let sortedDeps = [create.hash, edit.hash].sorted()
        let failures: [(String, [UInt8], String)] = [
            ("truncated in the middle", Array(create.bytes.prefix(create.bytes.count / 2)), "truncated"),
            ("encoding version 4", raw(version: 4, dependencies: [], operations: [createOp]), "unsupported_version"),
            ("version 2 without sequence operations", raw(version: 2, dependencies: [], operations: [createOp]), "not_canonical"),
            ("version 3 without certificates or revocations", raw(version: 3, dependencies: [], operations: [createOp]), "not_canonical"),
            ("text edit of unknown kind 9", raw(version: 2, dependencies: [create.hash], operations: [textOp([0x09, 0x00])]), "invalid_value"),
            ("text insertion without content", raw(version: 2, dependencies: [create.hash], operations: [textOp([0x01, 0x00, 0x00, 0x00, 0x00])]), "invalid_value"),
            ("item tag 2", raw(version: 2, dependencies: [create.hash], operations: [textOp([0x02, 0x01, 0x00, 0x00, 0x01], item: [2])]), "invalid_value"),
            ("a range naming site number 5 of 1", raw(version: 2, dependencies: [create.hash], operations: [textOp([0x02, 0x01, 0x05, 0x00, 0x01])]), "invalid_value"),
            ("a range of length 0", raw(version: 2, dependencies: [create.hash], operations: [textOp([0x02, 0x01, 0x00, 0x00, 0x00])]), "invalid_value"),
            ("a deletion with no range", raw(version: 2, dependencies: [create.hash], operations: [textOp([0x02, 0x00])]), "invalid_value"),
            ("the author listed among the other sites", raw(version: 2, dependencies: [create.hash], operations: [textOp([0x02, 0x01, 0x00, 0x00, 0x01], sites: [maria.id])]), "not_canonical"),
            ("a list insertion of 0 items", raw(version: 2, dependencies: [create.hash], operations: [textOp([0x01, 0x00, 0x00, 0x00, 0x00], item: [], kind: 7, field: "sections")]), "invalid_value"),
            ("a list insertion of 65,537 items", raw(version: 2, dependencies: [create.hash], operations: [textOp([0x01, 0x00, 0x00, 0x00, 0x81, 0x80, 0x04], item: [], kind: 7, field: "sections")]), "too_large"),
            ("a deletion flag of 2", raw(dependencies: [create.hash], operations: [rawOp(5, [0x02, 0x00])]), "invalid_value"),
            ("a field name of 257 bytes", raw(dependencies: [create.hash], operations: [rawOp(2, longField.bytes + [0x01, 0x01, 0x78, 0x00])]), "too_large"),
            ("a trailing byte", create.bytes + [0], "trailing_bytes"),
            ("dependencies out of order", raw(dependencies: sortedDeps.reversed(), operations: [setTitle]), "not_canonical"),
            ("over-long timestamp varint", raw(dependencies: [create.hash], timestamp: [0x81, 0x00], operations: [setTitle]), "overlong_varint"),
            ("author not UTF-8", raw(author: [0xC3, 0x28], dependencies: [create.hash], operations: [setTitle]), "invalid_utf8"),
            ("no dependencies and no creation", raw(dependencies: [], operations: [setTitle]), "missing_create"),
            ("one field written twice", raw(dependencies: [create.hash], operations: [setTitle, setTitle]), "repeated_field"),
            ("no operations", raw(dependencies: [create.hash], operations: []), "empty"),
            ("creation after another operation", raw(dependencies: [], operations: [setTitle, createOp]), "misplaced_create"),
        ]
        return M.File(
            kind: "change",
            description: "Canonical change encodings, versions 1 to 3 (Protocol/changes.md). input: hex of the encoding; expected: the decoded change and its id (SHA-256 of input).",
            valid: valid,
            mustFail: failures.map { M.Failure(name: $0.0, input: Hex.encode($0.1), error: $0.2) })
    }

    // MARK: Certificates

    static func certificates() throws -> M.File<M.Case<M.TrustObjectJSON>, M.TrustObjectFailure> {
        let root = try SiteSigningKey(rawRepresentation: [UInt8](repeating: 10, count: 32))
        let laptop = TestSite(seed: 1, participant: "PHL", author: "María Santos")
        let secretariat = TestSite(seed: 11, participant: "SEC", author: "Ana Lopez")
        let year = HybridTimestamp(milliseconds: created.milliseconds + 365 * 86_400_000, counter: 0)
        let delegate = Certificate.issue(serial: 7, siteKey: laptop.key.publicKey, participant: "PHL", role: .delegate,
                                         notBefore: created, notAfter: year, root: root)
        let secretary = Certificate.issue(serial: 1, siteKey: secretariat.key.publicKey, participant: "SEC", role: .secretariat,
                                          notBefore: created, notAfter: year, root: root)
        let revocation = Revocation.issue(delegate, at: created, reason: "laptop lost in transit", root: root)
        let request = EnrolmentRequest(key: laptop.key, participant: "PHL", author: "María Santos", created: created)
        let requestV1 = EnrolmentRequest(key: laptop.key, participant: "PHL", author: "María Santos", created: created, withEncryptionKey: false)
        let sealable = Certificate.issue(serial: 8, siteKey: laptop.key.publicKey, encryptionKey: laptop.key.decryptionKey.publicKey,
                                         participant: "PHL", role: .delegate, notBefore: created, notAfter: year, root: root)
        var damaged = delegate.encoded
        damaged[damaged.count - 1] ^= 0x01
        let valid: [(String, String, [UInt8])] = [
            ("a delegate certificate", "certificate", delegate.encoded),
            ("a secretariat certificate", "certificate", secretary.encoded),
            ("a certificate whose signature was damaged: it decodes but does not verify", "certificate", damaged),
            ("a version-2 certificate, binding the site's encryption key", "certificate", sealable.encoded),
            ("a revocation", "revocation", revocation.encoded),
            ("an enrolment request, carrying the site's encryption key", "request", request.encoded),
            ("a version-1 enrolment request, without an encryption key", "request", requestV1.encoded),
        ]
        var badRole = delegate.encoded
        let roleOffset = 1 + 1 + 32 + 1 + 3  // version, serial 7, key, length and "PHL"
        badRole[roleOffset] = 9
        var newer = delegate.encoded
        newer[0] = 3
        var forgedRequest = request.encoded
        forgedRequest[forgedRequest.count - 1] ^= 0x01
        // A point of order 8 (RFC 7748, section 7) in place of the encryption key, after the magic and the site key.
        var lowOrderRequest = request.encoded
        lowOrderRequest.replaceSubrange(40..<72, with: Hex.decode("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")!)
        let failures: [(String, String, [UInt8], String)] = [
            ("a request whose encryption key is a low-order point (checked before the signature)", "request", lowOrderRequest, "invalid_value"),
            ("a truncated certificate", "certificate", Array(delegate.encoded.dropLast(10)), "truncated"),
            ("a certificate of role 9", "certificate", badRole, "invalid_value"),
            ("a certificate of version 3", "certificate", newer, "unsupported_version"),
            ("a certificate with a trailing byte", "certificate", delegate.encoded + [0], "trailing_bytes"),
            ("a truncated revocation", "revocation", Array(revocation.encoded.prefix(40)), "truncated"),
            ("a request not signed by its key", "request", forgedRequest, "bad_signature"),
            ("not a request", "request", Array("GFMDBNDL and more bytes".utf8), "invalid_value"),
        ]
        return M.File(
            kind: "certificate",
            description: "Certificates, revocations and enrolment requests (Protocol/trust.md). input: hex; expected: the decoded fields and whether the signature verifies (the issuer's, or for a request the site's own).",
            valid: try valid.map { M.Case(name: $0.0, input: Hex.encode($0.2), expected: try M.TrustObjectJSON.decode($0.2, as: $0.1)) },
            mustFail: failures.map { M.TrustObjectFailure(name: $0.0, kind: $0.1, input: Hex.encode($0.2), error: $0.3) })
    }

    // MARK: Merkle

    static func merkle() -> M.File<M.MerkleCase, M.MerkleFailure> {
        let valid = [1, 2, 3, 5, 8].map { count -> M.MerkleCase in
            let leaves = (0..<count).map { Hash256.of([UInt8($0)]) }
            let knowledge = MerkleTree.Knowledge(leafCount: count, leaves: Dictionary(uniqueKeysWithValues: leaves.enumerated().map { ($0.offset, $0.element) }), nodes: [])
            let subsets = [Array(0..<count), [0], [count - 1], Array(stride(from: 0, to: count, by: 2))]
            let unique = Array(Set(subsets.map { $0 })).sorted { $0.lexicographicallyPrecedes($1) }
            return M.MerkleCase(
                name: "\(count) leaves", leaves: leaves.map(\.hex), root: MerkleTree.root(of: leaves).hex,
                proofs: unique.map { M.MerkleCase.Proof(included: $0, proof: knowledge.proof(for: $0)!.map(\.hex)) })
        }
        let leaves = (0..<5).map { Hash256.of([UInt8($0)]) }
        let knowledge = MerkleTree.Knowledge(leafCount: 5, leaves: Dictionary(uniqueKeysWithValues: leaves.enumerated().map { ($0.offset, $0.element) }), nodes: [])
        let proof = knowledge.proof(for: [1])!.map(\.hex)
        let failures = [
            M.MerkleFailure(name: "proof one hash short", leafCount: 5, included: [.init(index: 1, id: leaves[1].hex)], proof: Array(proof.dropLast()), error: "bad_proof"),
            M.MerkleFailure(name: "proof one hash long", leafCount: 5, included: [.init(index: 1, id: leaves[1].hex)], proof: proof + [proof[0]], error: "bad_proof"),
            M.MerkleFailure(name: "leaf index outside the tree", leafCount: 5, included: [.init(index: 5, id: leaves[1].hex)], proof: proof, error: "bad_proof"),
            M.MerkleFailure(name: "leaves out of order", leafCount: 5, included: [.init(index: 3, id: leaves[3].hex), .init(index: 1, id: leaves[1].hex)], proof: [], error: "bad_proof"),
        ]
        return M.File(
            kind: "merkle",
            description: "Commit Merkle trees (Protocol/bundle.md, Commits). leaves: change ids in commit order; proofs: for each subset, the hashes of the ranges holding none of it, left to right.",
            valid: valid, mustFail: failures)
    }

    // MARK: State

    static func state() throws -> M.File<M.StateCase, M.Failure> {
        var laptop1 = TestSite(seed: 1, participant: "PHL", author: "Maria Santos")
        var laptop2 = TestSite(seed: 2, participant: "PHL", author: "Jose Rizal")
        let root = laptop1.create(record, title: "Diaspora bonds")
        let a = laptop1.change(record, on: [root.hash], [.set(field: "title", value: .string("Bonds A"), pred: [root.hash]), .add(field: "partners", element: .string("ILO"))])
        let b = laptop2.change(record, on: [root.hash], [.set(field: "title", value: .string("Bonds B"), pred: [root.hash]), .add(field: "partners", element: .string("UNDP"))])
        let delete = laptop1.change(record, on: [a.hash], [.setDeleted(true, pred: [])])
        let edit = laptop2.change(record, on: [b.hash], [.set(field: "contact", value: .string("Desk B"), pred: [])])
        func expected(_ changes: [EncodedChange]) throws -> M.StateExpected {
            var replica = InMemoryReplica()
            for change in changes { try replica.receive(change) }
            let state = replica.records[record]!
            return M.StateExpected(digest: replica.digest, conflictedFields: state.conflictedFields.map(\.name),
                                   deleted: state.isDeleted, deletionConflict: state.hasDeletionConflict,
                                   texts: state.fields.compactMap { key, field in field.text.map { (key.name, $0.text) } }.reduce(into: [:]) { $0[$1.0] = $1.1 },
                                   lists: state.fields.compactMap { key, field in field.list.map { (key.name, $0.itemTexts) } }.reduce(into: [:]) { $0[$1.0] = $1.1 })
        }
        var carol = TestSite(seed: 3, participant: "SEC", author: "Ana Lopez")
        let typedBase = laptop1.change(record, on: [root.hash], [
            .text(field: "summary", item: nil, edits: [.insert(counter: 0, left: nil, right: nil, content: Array("[]".unicodeScalars))]),
        ])
        let opening = CharID(site: laptop1.id, counter: 0), closing = CharID(site: laptop1.id, counter: 1)
        let abc = laptop1.change(record, on: [typedBase.hash], [
            .text(field: "summary", item: nil, edits: [.insert(counter: 2, left: opening, right: closing, content: Array("abc".unicodeScalars))]),
        ])
        let xyz = laptop2.change(record, on: [typedBase.hash], [
            .text(field: "summary", item: nil, edits: [.insert(counter: 0, left: opening, right: closing, content: Array("xyz".unicodeScalars))]),
        ])
        let trim = carol.change(record, on: [abc.hash, xyz.hash], [
            .text(field: "summary", item: nil, edits: [.delete([CharRange(site: laptop1.id, counter: 3, count: 1)])]),
            .list(field: "sections", edits: [.insert(counter: 0, left: nil, right: nil, content: [SequenceEdit.itemPlaceholder])]),
            .text(field: "sections", item: CharID(site: carol.id, counter: 0), edits: [
                .insert(counter: 0, left: nil, right: nil, content: Array("مقدمة".unicodeScalars)),
            ]),
        ])
        // Changes no honest writer makes: a value of an unknown kind superseding a
        // string, a text edit unseen by a concurrent deletion, a second create.
        let future = laptop1.change(record, on: [a.hash], [.set(field: "title", value: .unknown(kind: 9, payload: [1, 2]), pred: [a.hash])])
        let textEdit = laptop2.change(record, on: [root.hash], [
            .text(field: "summary", item: nil, edits: [.insert(counter: 0, left: nil, right: nil, content: Array("Unseen".unicodeScalars))]),
        ])
        let recreate = laptop2.change(record, on: [], [.create(type: "practice", owner: "PHL"), .set(field: "contact", value: .string("Desk C"), pred: [])])
        let cases = [("concurrent title writes and set additions", [root, a, b]),
                     ("a value of an unknown kind supersedes its pred and is displayed", [root, a, future]),
                     ("a text edit is an edit a concurrent deletion did not see", [root, a, delete, textEdit]),
                     ("a second create of the same type and owner: the creation is the least (timestamp, id)", [recreate, root]),
                     ("delete concurrent with an edit", [root, a, b, delete, edit]),
                     ("concurrent runs typed at one place, a deletion, a list item", [root, typedBase, abc, xyz, trim])]
        return M.File(
            kind: "state",
            description: "Merged state and digest (Protocol/state.md). changes: hex encodings in a causal order; any causal order gives expected.",
            valid: try cases.map { M.StateCase(name: $0.0, changes: $0.1.map { Hex.encode($0.bytes) }, expected: try expected($0.1)) },
            mustFail: [])
    }

    // MARK: Bundles

    static let created = HybridTimestamp(milliseconds: 1_795_000_000_000, counter: 3)

    static func bundles() throws -> ([[UInt8]], M.File<M.BundleCase, M.Failure>) {
        var laptop1 = TestSite(seed: 1, participant: "PHL", author: "Maria Santos")
        var laptop2 = TestSite(seed: 2, participant: "PHL", author: "Jose Rizal")
        let secretariat = TestSite(seed: 3, participant: "SEC", author: "Ana Lopez")
        let root = laptop1.create(record, title: "Diaspora bonds")
        let a = laptop1.change(record, on: [root.hash], [.set(field: "title", value: .string("Bonds A"), pred: [root.hash])])
        let b = laptop2.change(record, on: [root.hash], [.set(field: "title", value: .string("Bonds B"), pred: [root.hash])])
        let other = laptop2.create(RecordID(hex: "fedcba9876543210fedcba9876543210")!, title: "Not sent")
        let textChange = laptop1.change(record, on: [a.hash], [
            .text(field: "summary", item: nil, edits: [.insert(counter: 0, left: nil, right: nil, content: Array("Bonds sold abroad.".unicodeScalars))]),
        ])
        let third = laptop2.create(RecordID(hex: "00000000000000000000000000000001")!, title: "Not sent either")
        let first = VerifiedCommit.signing([root, a], with: laptop1.key)
        let second = VerifiedCommit.signing([other, b, third], with: laptop2.key)
        let knowledge = MerkleTree.Knowledge(leafCount: 3, leaves: [0: other.hash, 1: b.hash, 2: third.hash], nodes: [])
        let partial = BundleCommit(signer: laptop2.key.publicKey, leafCount: 3, signature: second.signature,
                                   leaves: [(1, b.bytes)], proof: knowledge.proof(for: [1])!)
        let golden = Bundle.encode([BundleCommit(first), partial], sender: secretariat.key, participant: "SEC", created: created, level: 6, version: 1)
        let bundle = try Bundle(reading: golden)
        var replica = InMemoryReplica()
        for change in [root, a, b] { try replica.receive(change) }
        let expected = M.BundleExpected(
            version: 1, senderSite: secretariat.id.hex, senderParticipant: "SEC", created: created.rawValue,
            checksum: bundle.checksum.hex, changeCount: 3, commits: [[root.hash.hex, a.hash.hex], [b.hash.hex]], digest: replica.digest)

        var flipped = golden
        flipped[golden.count / 2] ^= 0x04
        var badSignature = golden
        badSignature[golden.count - 1] ^= 0x01
        var forgedCommit = first.signature
        forgedCommit[0] ^= 0x01
        let forged = Bundle.encode([BundleCommit(signer: laptop1.key.publicKey, leafCount: 2, signature: forgedCommit,
                                                 leaves: [(0, root.bytes), (1, a.bytes)], proof: [])],
                                   sender: secretariat.key, participant: "SEC", created: created)
        var enroller = TestSite(seed: 11, participant: "SEC", author: "Ana Lopez")
        let rootKey = try SiteSigningKey(rawRepresentation: [UInt8](repeating: 10, count: 32))
        let trustChange = enroller.change(TrustRecord.id(for: rootKey.publicKey), on: [], [
            .create(type: TrustRecord.type, owner: "SEC"),
            .certify(Certificate.issue(serial: 1, siteKey: enroller.key.publicKey, participant: "SEC", role: .secretariat,
                                       notBefore: .zero, notAfter: created, root: rootKey)),
        ])
        let failures: [(String, [UInt8], String)] = [
            ("truncated by one byte", Array(golden.dropLast()), "checksum_mismatch"),
            ("truncated inside the header", Array(golden.prefix(20)), "truncated"),
            ("one bit flipped in the body", flipped, "checksum_mismatch"),
            ("sender signature damaged", badSignature, "bad_signature"),
            ("sealed (format version 6) for PHL's laptop, read without its key: it says for whom it is", try trustGolden(version: 6).0, "not_for_this_site"),
            ("format version 7", Bundle.seal(body: [], changeCount: 0, sender: secretariat.key, participant: "SEC", created: created, version: 7), "unsupported_version"),
            ("flags other than 0", Self.patched(Bundle.seal(body: [], changeCount: 0, sender: secretariat.key, participant: "SEC", created: created), at: 11, to: 1, key: secretariat.key), "unsupported_version"),
            ("an empty sender participant", Bundle.seal(body: [], changeCount: 0, sender: secretariat.key, participant: "", created: created), "malformed_header"),
            ("a sender participant that is not UTF-8", Self.patched(Bundle.seal(body: [], changeCount: 0, sender: secretariat.key, participant: "SEC", created: created), at: 45, to: 0xFF, key: secretariat.key), "malformed_header"),
            ("bytes after the gzip member", Self.withTrailingGzipBytes(secretariat.key), "corrupt_body"),
            ("a version-1 bundle carrying a version-2 change", Bundle.encode([BundleCommit(VerifiedCommit.signing([textChange], with: laptop1.key))],
                sender: secretariat.key, participant: "SEC", created: created, level: 6, version: 1), "invalid_change"),
            ("a version-2 bundle carrying a version-3 change", Bundle.encode([BundleCommit(VerifiedCommit.signing([trustChange], with: enroller.key))],
                sender: secretariat.key, participant: "SEC", created: created, level: 6, version: 2), "invalid_change"),
            ("not a bundle", Array("GFMD is a state-led process".utf8), "not_a_bundle"),
            ("decompression bomb: 1 MiB declared as 100 bytes",
             Bundle.seal(body: [UInt8](repeating: 0, count: 1 << 20), changeCount: 0, sender: secretariat.key, participant: "SEC", created: created, level: 9, declaredBodySize: 100),
             "decompression_bomb"),
            ("a commit signature that does not verify", forged, "invalid_commit"),
        ]
        let goldenV2 = Bundle.encode([BundleCommit(VerifiedCommit.signing([root, a, textChange], with: laptop1.key))],
                                     sender: laptop1.key, participant: "PHL", created: created, level: 6, version: 2)
        var replicaV2 = InMemoryReplica()
        for change in [root, a, textChange] { try replicaV2.receive(change) }
        let expectedV2 = M.BundleExpected(
            version: 2, senderSite: laptop1.id.hex, senderParticipant: "PHL", created: created.rawValue,
            checksum: try Bundle(reading: goldenV2).checksum.hex, changeCount: 3,
            commits: [[root.hash.hex, a.hash.hex, textChange.hash.hex]], digest: replicaV2.digest)
        let (goldenV3, expectedV3) = try trustGolden(version: 3)
        let (goldenV4, expectedV4) = try trustGolden(version: 4)
        let (goldenV5, expectedV5) = try trustGolden(version: 5)
        let (goldenV6, expectedV6) = try trustGolden(version: 6)
        let recipient = TestSite(seed: 1, participant: "PHL", author: "María Santos").key
        return ([golden, goldenV2, goldenV3, goldenV4, goldenV5, goldenV6], M.File(
            kind: "bundle",
            description: "Bundle files, format versions 1 to 6 (Protocol/bundle.md). valid: golden files and what they hold; digest is that of an empty replica after applying one (without authorisation: see trust.json); sender_certificate is the certificate a version-4 header carries; sync is what a version-5 body says about knowledge (as in sync.json); seal names for whom a version-6 bundle is sealed, and opening_seed (a recipient's signing seed) and opening_key (the X25519 private key derived from it) open it. must_fail: hex of whole files.",
            valid: [M.BundleCase(name: "golden, format version 1: SEC forwards a whole PHL commit and part of another", file: "golden-v1.gfmd", expected: expected),
                    M.BundleCase(name: "golden, format version 2: a commit with a text edit", file: "golden-v2.gfmd", expected: expectedV2),
                    M.BundleCase(name: "golden, format version 3: a trust record enrols SEC and PHL, PHL creates and submits a practice", file: "golden-v3.gfmd", expected: expectedV3),
                    M.BundleCase(name: "golden, format version 4: the same, its header carrying the sender's certificate", file: "golden-v4.gfmd", expected: expectedV4),
                    M.BundleCase(name: "golden, format version 5: the same, made for PHL, with SEC's knowledge", file: "golden-v5.gfmd", expected: expectedV5),
                    M.BundleCase(name: "golden, format version 6: the same, sealed to PHL's laptop", file: "golden-v6.gfmd", expected: expectedV6,
                                 openingSeed: Hex.encode(recipient.rawRepresentation), openingKey: Hex.encode(recipient.decryptionKey.rawRepresentation))],
            mustFail: failures.map { M.Failure(name: $0.0, input: Hex.encode($0.1), error: $0.2) }))
    }
}

extension VectorGenerator {
    /// `file` with the byte at `offset` set to `value`, its checksum and signature made again by `key`.
    static func patched(_ file: [UInt8], at offset: Int, to value: UInt8, key: SiteSigningKey) -> [UInt8] {
        var content = Array(file.dropLast(96))
        content[offset] = value
        let checksum = Hash256.of(content)
        return content + checksum.bytes + key.signature(for: Bundle.signedMessage(checksum: checksum))
    }

    /// An empty bundle whose gzip member is followed by one more byte, inside the checksum.
    static func withTrailingGzipBytes(_ key: SiteSigningKey) -> [UInt8] {
        let file = Bundle.seal(body: [], changeCount: 0, sender: key, participant: "SEC", created: created)
        var content = Array(file.dropLast(96))
        // The header's compressed size (8 bytes before the version-4 certificate length) grows by one.
        let sizeOffset = 65 + 3
        let size = content[sizeOffset..<sizeOffset + 8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } + 1
        for index in 0..<8 { content[sizeOffset + index] = UInt8(truncatingIfNeeded: size >> (56 - 8 * UInt64(index))) }
        content.append(0)
        let checksum = Hash256.of(content)
        return content + checksum.bytes + key.signature(for: Bundle.signedMessage(checksum: checksum))
    }

    /// A bundle of format `version`: the trust record's first changes, then a
    /// record created and submitted by the delegate they enrol; from version
    /// 4, its header carries the sender's certificate.
    static func trustGolden(version: UInt16) throws -> ([UInt8], M.BundleExpected) {
        let root = try SiteSigningKey(rawRepresentation: [UInt8](repeating: 10, count: 32))
        var secretariat = TestSite(seed: 11, participant: "SEC", author: "Ana Lopez")
        var laptop = TestSite(seed: 1, participant: "PHL", author: "María Santos")
        let year = HybridTimestamp(milliseconds: created.milliseconds + 365 * 86_400_000, counter: 0)
        let start = HybridTimestamp(milliseconds: 1_795_000_000_000, counter: 0)
        // From version 6, the certificates bind the sites' encryption keys.
        func certificate(_ site: TestSite, _ serial: UInt64, _ role: Role) -> Certificate {
            Certificate.issue(serial: serial, siteKey: site.key.publicKey,
                              encryptionKey: version >= 6 ? site.key.decryptionKey.publicKey : nil, participant: site.participant, role: role,
                              notBefore: start, notAfter: year, root: root)
        }
        let trust = TrustRecord.id(for: root.publicKey)
        let own = certificate(secretariat, 1, .secretariat)
        let t0 = secretariat.change(trust, on: [], [.create(type: TrustRecord.type, owner: "SEC"), .certify(own)])
        let t1 = secretariat.change(trust, on: [t0.hash], [.certify(certificate(laptop, 2, .delegate))])
        let create = laptop.change(record, on: [t1.hash], [.create(type: "practice", owner: "PHL"), .set(field: "title", value: .string("Diaspora bonds"), pred: [])])
        let submit = laptop.change(record, on: [create.hash], [.set(field: Workflow.field, value: .string("submitted"), pred: [])])
        let sync = version >= 5
            ? goldenSync(secretariat: secretariat, laptop: laptop, trustTime: t1.change.timestamp, laptopTime: submit.change.timestamp) : nil
        // From version 5, the bundle is made after the changes it vouches for (earlier goldens keep their bytes).
        let made = version >= 5 ? HybridTimestamp(milliseconds: submit.change.timestamp.milliseconds + 1_000, counter: 0) : created
        let file = Bundle.encode([BundleCommit(VerifiedCommit.signing([t0, t1], with: secretariat.key)),
                                  BundleCommit(VerifiedCommit.signing([create, submit], with: laptop.key))],
                                 sender: secretariat.key, participant: "SEC", certificate: own, created: made, sync: sync, level: 6, version: version,
                                 recipients: version >= 6 ? SealRecipients(participant: "PHL", sites: [.init(site: laptop.id, key: laptop.key.decryptionKey.publicKey)]) : nil)
        var replica = InMemoryReplica()
        for change in [t0, t1, create, submit] { try replica.receive(change) }
        let expected = M.BundleExpected(
            version: Int(version), senderSite: secretariat.id.hex, senderParticipant: "SEC", created: made.rawValue,
            checksum: try BundleEnvelope(reading: file).checksum.hex, changeCount: 4,
            commits: [[t0.hash.hex, t1.hash.hex], [create.hash.hex, submit.hash.hex]], digest: replica.digest,
            senderCertificate: version >= 4 ? Hex.encode(own.encoded) : nil, sync: sync.map(M.SyncJSON.init),
            seal: version >= 6 ? M.SealJSON(participant: "PHL", sites: [laptop.id.hex]) : nil)
        return (file, expected)
    }
}

extension ChangeOperation {
    /// The length of the operation's encoding (kind, length, payload).
    var encodedLength: Int {
        let change = Change(record: VectorGenerator.record, site: SiteID(words: (0, 0)), participant: "P", author: "A",
                            timestamp: .zero, dependencies: [], operations: [self])
        let empty = Change(record: VectorGenerator.record, site: SiteID(words: (0, 0)), participant: "P", author: "A",
                           timestamp: .zero, dependencies: [], operations: [])
        return change.canonicalEncoding().count - empty.canonicalEncoding().count
    }
}
