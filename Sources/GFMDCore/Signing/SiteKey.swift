import Crypto

/// A site's Ed25519 public key, and the site id derived from it.
public struct SitePublicKey: Hashable, Sendable {
    /// The size of a raw key.
    public static let byteCount = 32
    /// The size of an Ed25519 signature.
    public static let signatureByteCount = 64
    /// The 32-byte raw key.
    public let rawRepresentation: [UInt8]
    /// The site's id: the first 16 bytes of SHA-256 of the raw key.
    public let siteID: SiteID

    /// Reads a raw 32-byte key.
    ///
    /// - Throws: ``SignatureError`` when the bytes are not a valid Ed25519 key.
    public init<C: Collection>(rawRepresentation bytes: C) throws(SignatureError) where C.Element == UInt8 {
        let raw = Array(bytes)
        guard raw.count == Self.byteCount, (try? Curve25519.Signing.PublicKey(rawRepresentation: raw)) != nil else {
            throw SignatureError(.invalidKey, "not an Ed25519 public key")
        }
        self.rawRepresentation = raw
        self.siteID = SiteID(bytes: Hash256.of(raw).bytes.prefix(16))
    }

    /// Whether `signature` is this key's signature of `message`.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard signature.count == Self.signatureByteCount, let key = try? Curve25519.Signing.PublicKey(rawRepresentation: rawRepresentation) else {
            return false
        }
        return key.isValidSignature(signature, for: message)
    }

    public static func == (lhs: SitePublicKey, rhs: SitePublicKey) -> Bool { lhs.rawRepresentation == rhs.rawRepresentation }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawRepresentation) }
}

/// A site's Ed25519 private key. It never leaves the replica's folder.
public struct SiteSigningKey: Sendable {
    /// The 32-byte seed.
    public let rawRepresentation: [UInt8]
    /// The matching public key.
    public let publicKey: SitePublicKey
    /// The expanded key, kept so that each signature does not derive it again.
    private let key: ExpandedKey

    /// Holds the Crypto key, which is immutable once made and safe to share.
    private final class ExpandedKey: @unchecked Sendable {
        let key: Curve25519.Signing.PrivateKey
        init(_ key: Curve25519.Signing.PrivateKey) { self.key = key }
    }

    /// A new random key.
    public init() {
        // A key just produced by Crypto is always valid.
        try! self.init(rawRepresentation: Array(Curve25519.Signing.PrivateKey().rawRepresentation))
    }

    /// Reads a 32-byte raw private key (the seed).
    ///
    /// - Throws: ``SignatureError`` when the bytes are not a valid key.
    public init(rawRepresentation bytes: [UInt8]) throws(SignatureError) {
        guard bytes.count == 32, let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: bytes) else {
            throw SignatureError(.invalidKey, "not an Ed25519 private key")
        }
        self.rawRepresentation = bytes
        self.publicKey = try SitePublicKey(rawRepresentation: key.publicKey.rawRepresentation)
        self.key = ExpandedKey(key)
    }

    /// The site id of this key.
    public var siteID: SiteID { publicKey.siteID }

    /// Signs `message`.
    public func signature(for message: [UInt8]) -> [UInt8] {
        // Signing with a valid key cannot fail.
        Array(try! key.key.signature(for: message))
    }
}

/// A signature, key or proof that does not check out.
public struct SignatureError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What failed.
    public struct Code: Hashable, Sendable {
        fileprivate enum Base: String, Hashable, Sendable {
            case invalidKey = "invalid_key"
            case badSignature = "bad_signature"
            case wrongSigner = "wrong_signer"
            case badProof = "bad_proof"
            case unknownSigner = "unknown_signer"
        }
        fileprivate let base: Base

        /// A stable snake_case name for the code, as used in `Protocol/vectors`.
        public var name: String { base.rawValue }
        /// Bytes that are not a key.
        public static let invalidKey = Code(base: .invalidKey)
        /// A signature that does not verify.
        public static let badSignature = Code(base: .badSignature)
        /// A change signed by a site other than its author.
        public static let wrongSigner = Code(base: .wrongSigner)
        /// A Merkle proof that does not fit the changes it accompanies.
        public static let badProof = Code(base: .badProof)
        /// A signature by a site whose key was not supplied.
        public static let unknownSigner = Code(base: .unknownSigner)
    }

    /// What failed.
    public let code: Code
    /// What failed, in words.
    public let reason: String

    /// Creates an error.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }
}
