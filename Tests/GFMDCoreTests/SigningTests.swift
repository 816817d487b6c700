import GFMDCore
import GFMDTestSupport
import Testing

@Suite("Commit signatures and Merkle proofs")
struct SigningTests {
    static func changes(_ count: Int, seed: UInt8 = 1) -> (TestSite, [EncodedChange]) {
        var site = TestSite(seed: seed)
        let changes = (0..<count).map { site.create(testRecordID(UInt64($0)), title: "r\($0)") }
        return (site, changes)
    }

    @Test("every subset of a commit of up to 9 changes proves against the signed root")
    func everySubset() throws {
        for count in 1...9 {
            let (site, changes) = Self.changes(count)
            let commit = VerifiedCommit.signing(changes, with: site.key)
            let knowledge = MerkleTree.Knowledge(
                leafCount: count, leaves: Dictionary(uniqueKeysWithValues: changes.enumerated().map { ($0.offset, $0.element.hash) }), nodes: [])
            for mask in 1..<(1 << count) {
                let included = (0..<count).filter { mask & (1 << $0) != 0 }
                let proof = try #require(knowledge.proof(for: included))
                let verified = try VerifiedCommit.verifying(
                    signer: site.key.publicKey, leafCount: count, signature: commit.signature,
                    leaves: included.map { ($0, changes[$0]) }, proof: proof)
                #expect(verified.root == commit.root)
                // The proof nodes received are enough to prove the same subset again.
                let again = MerkleTree.Knowledge(
                    leafCount: count, leaves: Dictionary(uniqueKeysWithValues: included.map { ($0, changes[$0].hash) }),
                    nodes: verified.proofNodes)
                #expect(again.proof(for: included) == proof)
            }
        }
    }

    @Test("a tampered change, proof or signature is refused")
    func tampering() throws {
        let (site, changes) = Self.changes(5)
        let commit = VerifiedCommit.signing(changes, with: site.key)
        var other = TestSite(seed: 1)
        let forged = other.create(testRecordID(99), title: "forged")
        #expect(throws: SignatureError.self) {
            try VerifiedCommit.verifying(signer: site.key.publicKey, leafCount: 5, signature: commit.signature,
                                         leaves: [(0, forged)], proof: [Hash256.of([1]), Hash256.of([2])])
        }
        var badSignature = commit.signature
        badSignature[10] ^= 1
        #expect(throws: SignatureError.self) {
            try VerifiedCommit.verifying(signer: site.key.publicKey, leafCount: 5, signature: badSignature,
                                         leaves: changes.enumerated().map { ($0.offset, $0.element) }, proof: [])
        }
        #expect(throws: SignatureError.self) {
            try VerifiedCommit.verifying(signer: site.key.publicKey, leafCount: 5, signature: commit.signature,
                                         leaves: changes.enumerated().map { ($0.offset, $0.element) }, proof: [Hash256.of([0])])
        }
    }

    @Test("a change must be signed by its own site")
    func wrongSigner() throws {
        let (_, changes) = Self.changes(2, seed: 1)
        let impostor = TestSite(seed: 9)
        #expect { try VerifiedCommit.verifying(signer: impostor.key.publicKey, leafCount: 2, signature: [UInt8](repeating: 0, count: 64),
                                               leaves: changes.enumerated().map { ($0.offset, $0.element) }, proof: []) }
            throws: { ($0 as? SignatureError)?.code == .wrongSigner }
    }

    @Test("an X25519 key that is a low-order point is told apart (anything sealed to it opens for anyone), and no bundle is sealed to its site")
    func lowOrderEncryptionKeys() throws {
        let site = TestSite(seed: 1)
        #expect(!site.key.decryptionKey.publicKey.isLowOrder)
        for hex in ["0000000000000000000000000000000000000000000000000000000000000000",
                    "0100000000000000000000000000000000000000000000000000000000000000",
                    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"] {
            #expect(try EncryptionKey(rawRepresentation: Hex.decode(hex)!).isLowOrder, "\(hex)")
        }
        let root = try SiteSigningKey(rawRepresentation: [UInt8](repeating: 10, count: 32))
        let weak = try EncryptionKey(rawRepresentation: Hex.decode("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")!)
        let start = HybridTimestamp(milliseconds: 1_795_000_000_000, counter: 0)
        let certificate = Certificate.issue(serial: 1, siteKey: site.key.publicKey, encryptionKey: weak, participant: "PHL", role: .delegate,
                                            notBefore: start, notAfter: HybridTimestamp(milliseconds: 1_796_000_000_000, counter: 0), root: root)
        var trust = TrustState()
        var signer = TestSite(seed: 2)
        trust.apply(signer.change(testRecordID(1), on: [], [.certify(certificate)]).change)
        let recipients = trust.recipients(for: "PHL", at: HybridTimestamp(milliseconds: 1_795_000_001_000, counter: 0), root: root.publicKey)
        #expect(recipients.sites.isEmpty && recipients.withoutKey == [site.key.siteID])
    }

    @Test("a certificate or revocation found valid once lends nothing to a copy with one byte changed, checked after it")
    func checkedSignaturesAreExact() throws {
        let root = try SiteSigningKey(rawRepresentation: [UInt8](repeating: 11, count: 32))
        let site = TestSite(seed: 3)
        let certificate = Certificate.issue(
            serial: 7, siteKey: site.key.publicKey, participant: "PHL", role: .delegate,
            notBefore: HybridTimestamp(milliseconds: 1_795_000_000_000, counter: 0),
            notAfter: HybridTimestamp(milliseconds: 1_796_000_000_000, counter: 0), root: root)
        let revocation = Revocation.issue(certificate, at: HybridTimestamp(milliseconds: 1_795_500_000_000, counter: 0),
                                          reason: "laptop lost", root: root)
        /// The bytes of `encoded` after the version (signed ones and the
        /// signature's) whose flipping leaves a copy `isValid` accepts.
        func validTamperedCopies(_ encoded: [UInt8], _ isValid: ([UInt8]) -> Bool?) -> [Int] {
            (1..<encoded.count).filter { index in
                var tampered = encoded
                tampered[index] ^= 0x01
                return isValid(tampered) == true
            }
        }
        for _ in 0..<2 {
            #expect(certificate.isSignatureValid && revocation.isSignatureValid)
            #expect(validTamperedCopies(certificate.encoded) { (try? Certificate(decoding: $0))?.isSignatureValid } == [])
            #expect(validTamperedCopies(revocation.encoded) { (try? Revocation(decoding: $0))?.isSignatureValid } == [])
        }
    }
}
