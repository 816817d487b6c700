package import Crypto

/// A site's X25519 public key, to which bundles for it are sealed
/// (`Protocol/trust.md`, "Encryption keys"). Its certificate binds it to the
/// site's signing key.
public struct EncryptionKey: Hashable, Sendable {
    /// The 32 bytes of the key.
    public let rawRepresentation: [UInt8]

    /// Reads a 32-byte X25519 public key.
    ///
    /// - Throws: ``SignatureError`` when the bytes are not one.
    public init<C: Collection>(rawRepresentation bytes: C) throws(SignatureError) where C.Element == UInt8 {
        let raw = Array(bytes)
        guard raw.count == 32, (try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: raw)) != nil else {
            throw SignatureError(.invalidKey, "not an X25519 public key")
        }
        rawRepresentation = raw
    }

    /// Whether the key is one of the low-order points of Curve25519 (RFC
    /// 7748, section 7): X25519 with it gives the all-zero value whatever
    /// the private key, so a content key sealed to it is open to anyone.
    /// A clamped scalar is a multiple of the cofactor 8, so one product
    /// with a fixed private key tells.
    public var isLowOrder: Bool {
        let probe = try! Curve25519.KeyAgreement.PrivateKey(rawRepresentation: [UInt8](repeating: 0x5A, count: 32))
        let shared = try? probe.sharedSecretFromKeyAgreement(with: agreementKey)
        return shared?.withUnsafeBytes { $0.allSatisfy { $0 == 0 } } ?? true
    }

    /// The key as swift-crypto takes it.
    package var agreementKey: Curve25519.KeyAgreement.PublicKey {
        // Checked when the key was read.
        try! Curve25519.KeyAgreement.PublicKey(rawRepresentation: rawRepresentation)
    }
}

/// A site's X25519 private key, which opens the bundles sealed to it. It is
/// derived from the site's signing seed (HKDF-SHA256, info
/// `"gfmd x25519 v1"`), so the key file holds both and nothing new needs
/// keeping safe.
public struct DecryptionKey: Sendable {
    /// The matching public key, which the site's enrolment request and certificate carry.
    public let publicKey: EncryptionKey
    private let key: Held

    private final class Held: @unchecked Sendable {
        let key: Curve25519.KeyAgreement.PrivateKey
        init(_ key: Curve25519.KeyAgreement.PrivateKey) { self.key = key }
    }

    /// The decryption key of the site whose signing seed is `seed`.
    init(seed: [UInt8]) {
        let derived = HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: seed), info: Array("gfmd x25519 v1".utf8), outputByteCount: 32)
        // Any 32 bytes are an X25519 private key (clamped on use).
        try! self.init(rawRepresentation: derived.withUnsafeBytes { Array($0) })
    }

    /// A decryption key from its 32 raw bytes (as the vectors give it).
    ///
    /// - Throws: ``SignatureError`` when there are not 32 bytes.
    public init(rawRepresentation bytes: [UInt8]) throws(SignatureError) {
        guard bytes.count == 32, let key = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: bytes) else {
            throw SignatureError(.invalidKey, "not an X25519 private key")
        }
        self.key = Held(key)
        publicKey = try EncryptionKey(rawRepresentation: key.publicKey.rawRepresentation)
    }

    /// The 32 raw bytes of the private key.
    public var rawRepresentation: [UInt8] { Array(key.key.rawRepresentation) }

    /// The key as swift-crypto takes it.
    package var agreementKey: Curve25519.KeyAgreement.PrivateKey { key.key }
}

extension SiteSigningKey {
    /// The site's decryption key, derived from this signing key's seed.
    public var decryptionKey: DecryptionKey { DecryptionKey(seed: rawRepresentation) }
}
