import GFMDCore

/// The JSON shapes of `Protocol/vectors` (see `Protocol/README.md`).
enum VectorModels {
    /// A vector file: its kind and its valid and must-fail cases.
    struct File<Valid: Codable, Failing: Codable>: Codable {
        let kind: String
        let description: String
        let valid: [Valid]
        let mustFail: [Failing]

        enum CodingKeys: String, CodingKey {
            case kind, description, valid
            case mustFail = "must_fail"
        }
    }

    /// A value, as JSON: exactly one of its keys is set.
    struct ValueJSON: Codable, Equatable {
        var string: String?
        var list: [String]?
        var kind: UInt64?
        var payload: String?

        init(_ value: Value) {
            switch value {
            case .string(let s): string = s
            case .list(let items): list = items
            case .unknown(let k, let bytes): kind = k; payload = Hex.encode(bytes)
            }
        }
    }

    /// An element id, as JSON.
    struct CharIDJSON: Codable, Equatable {
        var site: String
        var counter: UInt64

        init(_ id: CharID) {
            site = id.site.hex
            counter = id.counter
        }
    }

    /// A sequence edit, as JSON: exactly one of its keys is set.
    struct SequenceEditJSON: Codable, Equatable {
        struct Insert: Codable, Equatable {
            var counter: UInt64
            var left: CharIDJSON?
            var right: CharIDJSON?
            var text: String?
            var items: Int?
        }
        struct Range: Codable, Equatable {
            var site: String
            var counter: UInt64
            var count: UInt64
        }
        var insert: Insert?
        var delete: [Range]?

        init(_ edit: SequenceEdit, items: Bool) {
            switch edit {
            case .insert(let counter, let left, let right, let content):
                var view = String.UnicodeScalarView()
                view.append(contentsOf: content)
                insert = Insert(counter: counter, left: left.map(CharIDJSON.init), right: right.map(CharIDJSON.init),
                                text: items ? nil : String(view), items: items ? content.count : nil)
            case .delete(let ranges):
                delete = ranges.map { Range(site: $0.site.hex, counter: $0.counter, count: $0.count) }
            }
        }
    }

    /// An operation, as JSON.
    struct OperationJSON: Codable, Equatable {
        var op: String
        var type: String?, owner: String?, field: String?
        var value: ValueJSON?
        var pred: [String]?, observed: [String]?
        var deleted: Bool?
        var kind: UInt64?, payload: String?
        var item: CharIDJSON?
        var edits: [SequenceEditJSON]?

        init(_ operation: ChangeOperation) {
            switch operation {
            case .create(let t, let o): op = "create"; type = t; owner = o
            case .set(let f, let v, let p): op = "set"; field = f; value = ValueJSON(v); pred = p.map(\.hex)
            case .add(let f, let e): op = "add"; field = f; value = ValueJSON(e)
            case .remove(let f, let e, let obs): op = "remove"; field = f; value = ValueJSON(e); observed = obs.map(\.hex)
            case .setDeleted(let d, let p): op = "set_deleted"; deleted = d; pred = p.map(\.hex)
            case .text(let f, let i, let e):
                op = "text"; field = f; item = i.map(CharIDJSON.init); edits = e.map { SequenceEditJSON($0, items: false) }
            case .list(let f, let e):
                op = "list"; field = f; edits = e.map { SequenceEditJSON($0, items: true) }
            case .certify(let certificate):
                op = "certify"; payload = Hex.encode(certificate.encoded)
            case .revoke(let revocation):
                op = "revoke"; payload = Hex.encode(revocation.encoded)
            case .unknown(let k, let bytes): op = "unknown"; kind = k; payload = Hex.encode(bytes)
            }
        }
    }

    /// A decoded change, as JSON.
    struct ChangeJSON: Codable, Equatable {
        var id: String
        var record: String
        var site: String
        var participant: String
        var author: String
        var timestamp: UInt64
        var dependencies: [String]
        var operations: [OperationJSON]

        init(_ encoded: EncodedChange) {
            let change = encoded.change
            id = encoded.hash.hex
            record = change.record.hex
            site = change.site.hex
            participant = change.participant
            author = change.author
            timestamp = change.timestamp.rawValue
            dependencies = change.dependencies.map(\.hex)
            operations = change.operations.map(OperationJSON.init)
        }
    }

    /// A case whose input must decode to `expected`.
    struct Case<Expected: Codable>: Codable {
        let name: String
        let input: String
        let expected: Expected
    }

    /// A case whose input must be refused with `error`.
    struct Failure: Codable {
        let name: String
        let input: String
        let error: String
    }

    /// A Merkle tree and proofs of some of its subsets.
    struct MerkleCase: Codable {
        let name: String
        let leaves: [String]
        let root: String
        let proofs: [Proof]

        struct Proof: Codable {
            let included: [Int]
            let proof: [String]
        }
    }

    /// A proof that must be refused.
    struct MerkleFailure: Codable {
        let name: String
        let leafCount: Int
        let included: [MerkleLeaf]
        let proof: [String]
        let error: String

        enum CodingKeys: String, CodingKey {
            case name, included, proof, error
            case leafCount = "leaf_count"
        }
    }

    /// One leaf of a Merkle failure case.
    struct MerkleLeaf: Codable {
        let index: Int
        let id: String
    }

    /// What a valid bundle file holds.
    struct BundleExpected: Codable, Equatable {
        let version: Int
        let senderSite: String
        let senderParticipant: String
        let created: UInt64
        let checksum: String
        let changeCount: Int
        let commits: [[String]]
        let digest: String
        /// The certificate the header carries (format version 4), hex.
        var senderCertificate: String? = nil
        /// The sync section (format version 5).
        var sync: SyncJSON? = nil
        /// For whom a sealed bundle is (format version 6).
        var seal: SealJSON? = nil

        enum CodingKeys: String, CodingKey {
            case version, created, checksum, commits, digest, sync, seal
            case senderSite = "sender_site", senderParticipant = "sender_participant", changeCount = "change_count"
            case senderCertificate = "sender_certificate"
        }
    }

    /// A sync message (`Protocol/sync.md`) as JSON: sites as 16 hex digits,
    /// times as packed hybrid timestamps; `basis` null for "nothing".
    struct SyncJSON: Codable, Equatable {
        struct Entry: Codable, Equatable {
            let site: String
            let time: UInt64
            let vouched: Bool
        }
        struct Point: Codable, Equatable {
            let site: String
            let time: UInt64
        }
        let recipient: String
        let holds: [Entry]
        let extras: [Point]
        let wants: [String]
        let trustHeads: [String]
        let taken: [String: UInt64]
        let basis: [String: [UInt64]]?
        /// What a fingerprints section (body section 4) says, by site tag; absent when the case has none.
        var fingerprints: [String: Fingerprint]?

        struct Fingerprint: Codable, Equatable {
            let time: UInt64
            let count: UInt64
            /// The XOR, 16 hexadecimal digits.
            let xor: String
        }

        enum CodingKeys: String, CodingKey {
            case recipient, holds, extras, wants, basis, taken, fingerprints
            case trustHeads = "trust_heads"
        }
    }

    /// A sync section's payload, the bundle time it is relative to, and what it says.
    struct SyncCase: Codable {
        let name: String
        let created: UInt64
        let input: String
        /// The payload of the fingerprints section that follows it, when the bundle has one.
        var fingerprints: String?
        let expected: SyncJSON
    }

    /// A sync section's payload that must be refused, or with `section`
    /// "fingerprints", a fingerprints section's.
    struct SyncFailure: Codable {
        let name: String
        let created: UInt64
        var section: String?
        let input: String
        let error: String
    }

    /// A valid bundle, in a file of `Protocol/vectors`.
    struct BundleCase: Codable {
        let name: String
        let file: String
        let expected: BundleExpected
        /// For a sealed bundle: the signing seed of a recipient site (its
        /// X25519 key derives from it, trust.md) and that X25519 private key.
        var openingSeed: String? = nil
        var openingKey: String? = nil

        enum CodingKeys: String, CodingKey {
            case name, file, expected
            case openingSeed = "opening_seed", openingKey = "opening_key"
        }
    }

    /// The recipients a sealed bundle's header names.
    struct SealJSON: Codable, Equatable {
        let participant: String
        let sites: [String]
    }

    /// Changes that, applied in any causal order, give `digest` and these conflicts.
    struct StateCase: Codable {
        let name: String
        let changes: [String]
        let expected: StateExpected
    }

    /// What a state case must produce.
    struct StateExpected: Codable, Equatable {
        let digest: String
        let conflictedFields: [String]
        let deleted: Bool
        let deletionConflict: Bool
        /// Merged texts by field, and list items by field.
        let texts: [String: String]
        let lists: [String: [String]]

        enum CodingKeys: String, CodingKey {
            case digest, deleted, texts, lists
            case conflictedFields = "conflicted_fields", deletionConflict = "deletion_conflict"
        }
    }

    /// A decoded certificate, revocation or enrolment request.
    struct TrustObjectJSON: Codable, Equatable {
        var kind: String
        var serial: UInt64?
        var siteKey: String?
        /// The X25519 encryption key a version-2 certificate or request binds.
        var encryptionKey: String?
        var site: String?
        var participant: String?
        var author: String?
        var role: String?
        var notBefore: UInt64?
        var notAfter: UInt64?
        var revokedAt: UInt64?
        var created: UInt64?
        var reason: String?
        var issuer: String?
        var signatureValid: Bool

        enum CodingKeys: String, CodingKey {
            case kind, serial, site, participant, author, role, created, reason, issuer
            case siteKey = "site_key", notBefore = "not_before", notAfter = "not_after", revokedAt = "revoked_at"
            case encryptionKey = "encryption_key"
            case signatureValid = "signature_valid"
        }

        init(_ certificate: Certificate) {
            kind = "certificate"
            serial = certificate.serial
            siteKey = Hex.encode(certificate.siteKey.rawRepresentation)
            encryptionKey = certificate.encryptionKey.map { Hex.encode($0.rawRepresentation) }
            site = certificate.site.hex
            participant = certificate.participant
            role = certificate.role.description
            notBefore = certificate.notBefore.rawValue
            notAfter = certificate.notAfter.rawValue
            issuer = Hex.encode(certificate.issuer.rawRepresentation)
            signatureValid = certificate.isSignatureValid
        }

        init(_ revocation: Revocation) {
            kind = "revocation"
            serial = revocation.serial
            site = revocation.site.hex
            revokedAt = revocation.revokedAt.rawValue
            reason = revocation.reason
            issuer = Hex.encode(revocation.issuer.rawRepresentation)
            signatureValid = revocation.isSignatureValid
        }

        init(_ request: EnrolmentRequest) {
            kind = "request"
            siteKey = Hex.encode(request.siteKey.rawRepresentation)
            encryptionKey = request.encryptionKey.map { Hex.encode($0.rawRepresentation) }
            site = request.siteKey.siteID.hex
            participant = request.participant
            author = request.author
            created = request.created.rawValue
            signatureValid = true
        }

        /// Decodes `bytes` as a `kind` object.
        static func decode(_ bytes: [UInt8], as kind: String) throws -> TrustObjectJSON {
            switch kind {
            case "certificate": TrustObjectJSON(try Certificate(decoding: bytes))
            case "revocation": TrustObjectJSON(try Revocation(decoding: bytes))
            default: TrustObjectJSON(try EnrolmentRequest(decoding: bytes))
            }
        }
    }

    /// A certificate, revocation or request that must be refused.
    struct TrustObjectFailure: Codable {
        let name: String
        let kind: String
        let input: String
        let error: String
    }
}
