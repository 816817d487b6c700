import Foundation
import GFMDBundle
import GFMDCore
import GFMDSync
import GFMDTestSupport
import Testing

/// Runs every vector of `Protocol/vectors`: the contract other implementations test against.
@Suite("Protocol vectors")
struct ProtocolVectorTests {
    typealias M = VectorModels

    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Protocol/vectors")

    static func load<T: Decodable>(_ type: T.Type, _ url: URL) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }

    static func bytes(_ hex: String) throws -> [UInt8] {
        try #require(Hex.decode(hex), "vector input is not hexadecimal")
    }

    /// The stable name of an error raised by a decoder or verifier.
    static func errorName(_ error: any Error) -> String {
        switch error {
        case let e as FormatError: e.code.name
        case let e as ChangeError: e.code.name
        case let e as BundleError: e.code.name
        case let e as SignatureError: e.code.name
        default: "\(error)"
        }
    }

    @Test("every vector in Protocol/vectors passes")
    func allVectors() throws {
        let files = try FileManager.default.contentsOfDirectory(at: Self.directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }.sorted { $0.path < $1.path }
        var kinds: [String: Int] = [:]
        for url in files {
            struct Kind: Decodable { let kind: String }
            let kind = try Self.load(Kind.self, url).kind
            let count: Int
            switch kind {
            case "change": count = try changes(url)
            case "merkle": count = try merkle(url)
            case "state": count = try state(url)
            case "bundle": count = try bundles(url)
            case "certificate": count = try certificates(url)
            case "sync": count = try sync(url)
            case "http": count = try http(url)
            case "trust": continue  // Needs a replica store: TrustVectorTests (GFMDReplicaTests) runs it.
            default:
                Issue.record("\(url.lastPathComponent): unknown vector kind \(kind)")
                count = 0
            }
            kinds[kind, default: 0] += count
        }
        for kind in ["change", "merkle", "state", "bundle", "certificate", "sync", "http"] {
            #expect((kinds[kind] ?? 0) > 0, "no \(kind) vectors ran")
        }
    }

    private func changes(_ url: URL) throws -> Int {
        let file = try Self.load(M.File<M.Case<M.ChangeJSON>, M.Failure>.self, url)
        for vector in file.valid {
            let change = try EncodedChange(bytes: Self.bytes(vector.input))
            #expect(M.ChangeJSON(change) == vector.expected, "\(vector.name)")
            #expect(change.change.canonicalEncoding() == (try Self.bytes(vector.input)), "\(vector.name) re-encodes identically")
        }
        for vector in file.mustFail {
            do {
                _ = try EncodedChange(bytes: Self.bytes(vector.input))
                Issue.record("\(vector.name): decoded, but must fail with \(vector.error)")
            } catch {
                #expect(Self.errorName(error) == vector.error, "\(vector.name): \(error)")
            }
        }
        return file.valid.count + file.mustFail.count
    }

    private func merkle(_ url: URL) throws -> Int {
        let file = try Self.load(M.File<M.MerkleCase, M.MerkleFailure>.self, url)
        for vector in file.valid {
            let leaves = try vector.leaves.map { Hash256(bytes: try Self.bytes($0)) }
            #expect(MerkleTree.root(of: leaves).hex == vector.root, "\(vector.name)")
            for proof in vector.proofs {
                let (root, _) = try MerkleTree.root(
                    leafCount: leaves.count, included: proof.included.map { ($0, leaves[$0]) },
                    proof: try proof.proof.map { Hash256(bytes: try Self.bytes($0)) })
                #expect(root.hex == vector.root, "\(vector.name), subset \(proof.included)")
            }
        }
        for vector in file.mustFail {
            do {
                _ = try MerkleTree.root(
                    leafCount: vector.leafCount, included: try vector.included.map { ($0.index, Hash256(bytes: try Self.bytes($0.id))) },
                    proof: try vector.proof.map { Hash256(bytes: try Self.bytes($0)) })
                Issue.record("\(vector.name): verified, but must fail")
            } catch {
                #expect(Self.errorName(error) == vector.error, "\(vector.name): \(error)")
            }
        }
        return file.valid.count + file.mustFail.count
    }

    private func state(_ url: URL) throws -> Int {
        let file = try Self.load(M.File<M.StateCase, M.Failure>.self, url)
        for vector in file.valid {
            let changes = try vector.changes.map { try EncodedChange(bytes: Self.bytes($0)) }
            for order in [changes, changes.reversed()] {
                var replica = InMemoryReplica()
                for change in order { try replica.receive(change) }
                let state = try #require(replica.records.values.first)
                let texts = state.fields.compactMap { key, field in field.text.map { (key.name, $0.text) } }
                let lists = state.fields.compactMap { key, field in field.list.map { (key.name, $0.itemTexts) } }
                #expect(M.StateExpected(digest: replica.digest, conflictedFields: state.conflictedFields.map(\.name),
                                        deleted: state.isDeleted, deletionConflict: state.hasDeletionConflict,
                                        texts: Dictionary(uniqueKeysWithValues: texts), lists: Dictionary(uniqueKeysWithValues: lists))
                        == vector.expected, "\(vector.name)")
            }
        }
        return file.valid.count
    }

    private func certificates(_ url: URL) throws -> Int {
        let file = try Self.load(M.File<M.Case<M.TrustObjectJSON>, M.TrustObjectFailure>.self, url)
        for vector in file.valid {
            let bytes = try Self.bytes(vector.input)
            #expect(try M.TrustObjectJSON.decode(bytes, as: vector.expected.kind) == vector.expected, "\(vector.name)")
        }
        for vector in file.mustFail {
            do {
                _ = try M.TrustObjectJSON.decode(try Self.bytes(vector.input), as: vector.kind)
                Issue.record("\(vector.name): decoded, but must fail with \(vector.error)")
            } catch {
                #expect(Self.errorName(error) == vector.error, "\(vector.name): \(error)")
            }
        }
        return file.valid.count + file.mustFail.count
    }

    private func bundles(_ url: URL) throws -> Int {
        let file = try Self.load(M.File<M.BundleCase, M.Failure>.self, url)
        for vector in file.valid {
            let bytes = [UInt8](try Data(contentsOf: Self.directory.appendingPathComponent(vector.file)))
            let envelope = try BundleEnvelope(reading: bytes)
            let opener = try vector.openingSeed.map { seed in
                let key = try SiteSigningKey(rawRepresentation: try Self.bytes(seed))
                let given = try DecryptionKey(rawRepresentation: try Self.bytes(vector.openingKey ?? ""))
                #expect(given.publicKey == key.decryptionKey.publicKey, "\(vector.name): opening_key is the X25519 key derived from opening_seed")
                return (site: key.siteID, key: key.decryptionKey)
            }
            let bundle = try envelope.open(as: opener)
            let commits = try bundle.verifiedCommits()
            var replica = InMemoryReplica()
            for commit in commits { for leaf in commit.leaves { try replica.receive(leaf.change) } }
            let actual = M.BundleExpected(
                version: Int(bundle.header.version), senderSite: bundle.header.sender.siteID.hex,
                senderParticipant: bundle.header.senderParticipant, created: bundle.header.created.rawValue,
                checksum: bundle.checksum.hex, changeCount: bundle.changeCount,
                commits: commits.map { $0.leaves.map(\.change.hash.hex) }, digest: replica.digest,
                senderCertificate: bundle.header.senderCertificate.map { Hex.encode($0.encoded) },
                sync: bundle.sync.map(M.SyncJSON.init),
                seal: bundle.header.seal.map { M.SealJSON(participant: $0.participant, sites: $0.sites.map(\.hex)) })
            #expect(actual == vector.expected, "\(vector.name)")
        }
        for vector in file.mustFail {
            do {
                _ = try Bundle(reading: Self.bytes(vector.input)).verifiedCommits()
                Issue.record("\(vector.name): accepted, but must fail with \(vector.error)")
            } catch {
                #expect(Self.errorName(error) == vector.error, "\(vector.name): \(error)")
            }
        }
        return file.valid.count + file.mustFail.count
    }

    private func sync(_ url: URL) throws -> Int {
        let file = try Self.load(M.File<M.SyncCase, M.SyncFailure>.self, url)
        for vector in file.valid {
            let input = try Self.bytes(vector.input)
            let created = HybridTimestamp(rawValue: vector.created)
            var message = try SyncMessage(decoding: input[...], relativeTo: created)
            if let fingerprints = try vector.fingerprints.map(Self.bytes) {
                message.fingerprints = try SyncMessage.fingerprints(decoding: fingerprints[...], relativeTo: created)
                #expect(message.encodedFingerprints(relativeTo: created) == fingerprints, "\(vector.name): fingerprints re-encode identically")
            }
            #expect(M.SyncJSON(message) == vector.expected, "\(vector.name)")
            #expect(message.encoded(relativeTo: created) == input, "\(vector.name) re-encodes identically")
        }
        for vector in file.mustFail {
            do {
                let created = HybridTimestamp(rawValue: vector.created)
                if vector.section == "fingerprints" {
                    _ = try SyncMessage.fingerprints(decoding: try Self.bytes(vector.input)[...], relativeTo: created)
                } else {
                    _ = try SyncMessage(decoding: try Self.bytes(vector.input)[...], relativeTo: created)
                }
                Issue.record("\(vector.name): accepted, but must fail with \(vector.error)")
            } catch {
                #expect(Self.errorName(error) == vector.error, "\(vector.name): \(error)")
            }
        }
        return file.valid.count + file.mustFail.count
    }

    private func http(_ url: URL) throws -> Int {
        let file = try Self.load(M.HTTPFile.self, url)
        let root = try SitePublicKey(rawRepresentation: try Self.bytes(file.trust.root))
        var record = TestSite(seed: 0x7F, participant: "SEC")
        var operations = try file.trust.certificates.map { ChangeOperation.certify(try Certificate(decoding: try Self.bytes($0))) }
        for serial in file.trust.revokedSerials {
            guard case .certify(let certificate) = operations.first(where: { if case .certify(let c) = $0 { c.serial == serial } else { false } }) else {
                Issue.record("revoked serial \(serial) names no certificate")
                continue
            }
            operations.append(.revoke(Revocation.issue(certificate, at: certificate.notBefore, reason: "vector", root: VectorGenerator.httpRoot)))
        }
        var trust = TrustState()
        trust.apply(record.change(VectorGenerator.record, on: [], operations).change)
        enum Verdict: Equatable {
            case admitted(M.HTTPExpected)
            case refused(String)
        }
        func verdict(_ vector: M.HTTPCase) -> Verdict {
            let body = (try? Self.bytes(vector.body)) ?? []
            if vector.message == "response" {
                do {
                    let signed = try SignedResponse { vector.headers[$0] }
                    let hub = try signed.verify(
                        status: vector.status ?? 0, nonce: try Self.bytes(vector.requestNonce ?? ""), bodyDigest: Hash256.of(body), root: root,
                        trust: trust, now: HybridTimestamp(milliseconds: vector.now, counter: 0)).get()
                    return .admitted(M.HTTPExpected(site: hub.site.hex, participant: hub.participant))
                } catch { return .refused("not_the_hub") }
            }
            var replay = ReplayWindow()
            var last = Verdict.refused("never sent")
            for _ in 0..<(vector.times ?? 1) {
                do {
                    let signed = try SignedRequest { vector.headers[$0] }
                    let certificate = try HubAuthenticator.authenticate(
                        signed, method: vector.method ?? "", target: vector.target ?? "", bodyDigest: Hash256.of(body), trust: trust, root: root,
                        now: vector.now, replay: &replay).get()
                    last = .admitted(M.HTTPExpected(site: certificate.site.hex, participant: certificate.participant))
                } catch {
                    last = .refused("\(error.code) \(error.status)")
                }
            }
            return last
        }
        for vector in file.valid {
            #expect(vector.expected.map(Verdict.admitted) == verdict(vector), "\(vector.name): \(verdict(vector))")
        }
        for vector in file.mustFail {
            let expected = vector.message == "response" ? vector.error ?? "" : "\(vector.error ?? "") \(vector.httpStatus ?? 0)"
            guard case .refused(let reason) = verdict(vector) else {
                Issue.record("\(vector.name): accepted, but must fail with \(expected)")
                continue
            }
            #expect(reason == expected, "\(vector.name)")
        }
        for vector in file.valid + file.mustFail where vector.message == "request" {
            // The signing input, as the page spells it, is what the signature covers.
            guard let keyBytes = vector.headers[SignedRequest.keyHeader].flatMap(Hex.decode),
                  let signature = vector.headers[SignedRequest.signatureHeader].flatMap(Hex.decode) else { continue }
            let key = try SitePublicKey(rawRepresentation: keyBytes)
            #expect(key.isValidSignature(signature, for: Array(vector.signingInput.utf8)), "\(vector.name): signing_input")
        }
        return file.valid.count + file.mustFail.count
    }

    @Test("regenerate Protocol/vectors", .enabled(if: ProcessInfo.processInfo.environment["GFMD_REGENERATE_VECTORS"] == "1"))
    func regenerate() throws {
        try VectorGenerator.write(to: Self.directory)
    }
}
