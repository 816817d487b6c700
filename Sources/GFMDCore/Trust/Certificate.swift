import Crypto

/// A certificate binding a site's key to a participant and a role, signed by
/// the secretariat's root key (`Protocol/trust.md`, "Certificates").
public struct Certificate: Hashable, Sendable {
    /// The certificate's serial number, unique per root.
    public let serial: UInt64
    /// The enrolled site's key.
    public let siteKey: SitePublicKey
    /// The site's encryption key, to which bundles for it are sealed
    /// (version 2; nil in a version-1 certificate, which binds none).
    public let encryptionKey: EncryptionKey?
    /// The participant the site acts for.
    public let participant: String
    /// What the site may do.
    public let role: Role
    /// From when it is valid (inclusive).
    public let notBefore: HybridTimestamp
    /// Until when it is valid (inclusive).
    public let notAfter: HybridTimestamp
    /// The root key that signed it.
    public let issuer: SitePublicKey
    /// The root's Ed25519 signature over ``signedBytes``.
    public let signature: [UInt8]

    /// Version 1 binds the signing key; version 2 also the encryption key.
    static let version: UInt8 = 1, versionWithEncryptionKey: UInt8 = 2
    static let domain = Array("gfmd certificate v1".utf8) + [0]

    /// The enrolled site's id.
    public var site: SiteID { siteKey.siteID }

    /// Issues a certificate signed by `root`.
    /// Issues a certificate signed by `root`: version 2 when it binds an
    /// `encryptionKey`, else version 1.
    public static func issue(
        serial: UInt64, siteKey: SitePublicKey, encryptionKey: EncryptionKey? = nil, participant: String, role: Role,
        notBefore: HybridTimestamp, notAfter: HybridTimestamp, root: SiteSigningKey
    ) -> Certificate {
        let unsigned = Certificate(serial: serial, siteKey: siteKey, encryptionKey: encryptionKey, participant: participant, role: role,
                                   notBefore: notBefore, notAfter: notAfter, issuer: root.publicKey, signature: [])
        return Certificate(serial: serial, siteKey: siteKey, encryptionKey: encryptionKey, participant: participant, role: role,
                           notBefore: notBefore, notAfter: notAfter, issuer: root.publicKey,
                           signature: root.signature(for: domain + unsigned.signedBytes))
    }

    private init(serial: UInt64, siteKey: SitePublicKey, encryptionKey: EncryptionKey?, participant: String, role: Role,
                 notBefore: HybridTimestamp, notAfter: HybridTimestamp, issuer: SitePublicKey, signature: [UInt8]) {
        self.serial = serial
        self.siteKey = siteKey
        self.encryptionKey = encryptionKey
        self.participant = participant
        self.role = role
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.issuer = issuer
        self.signature = signature
    }

    /// The bytes the root signs: everything but the signature.
    var signedBytes: [UInt8] {
        var writer = ByteWriter(capacity: 128)
        writer.write(byte: encryptionKey == nil ? Self.version : Self.versionWithEncryptionKey)
        writer.write(varint: serial)
        writer.write(raw: siteKey.rawRepresentation)
        if let encryptionKey { writer.write(raw: encryptionKey.rawRepresentation) }
        writer.write(string: participant)
        writer.write(byte: role.rawValue)
        writer.write(varint: notBefore.rawValue)
        writer.write(varint: notAfter.rawValue)
        writer.write(raw: issuer.rawRepresentation)
        return writer.bytes
    }

    /// The canonical encoding: the signed bytes, then the 64-byte signature.
    public var encoded: [UInt8] { signedBytes + signature }

    /// Whether the signature verifies with the issuer key.
    public var isSignatureValid: Bool {
        CheckedSignatures.isValid(signature, for: Self.domain + signedBytes, by: issuer)
    }

    /// Whether the certificate is valid at `time`.
    public func isValid(at time: HybridTimestamp) -> Bool {
        notBefore <= time && time <= notAfter
    }

    /// Reads a certificate written by ``encoded`` (its signature is not checked here).
    public init(decoding bytes: [UInt8]) throws(FormatError) {
        var reader = ByteReader(bytes)
        let version = try reader.readByte("certificate version")
        guard version == Self.version || version == Self.versionWithEncryptionKey else {
            throw reader.failure(.unsupportedVersion, "certificate version \(version)")
        }
        serial = try reader.readVarint("certificate serial")
        guard let key = try? SitePublicKey(rawRepresentation: try reader.readBytes(32, "certificate site key")) else {
            throw reader.failure(.invalidValue, "certificate site key")
        }
        siteKey = key
        if version == Self.versionWithEncryptionKey {
            guard let encryption = try? EncryptionKey(rawRepresentation: try reader.readBytes(32, "certificate encryption key")) else {
                throw reader.failure(.invalidValue, "certificate encryption key")
            }
            encryptionKey = encryption
        } else {
            encryptionKey = nil
        }
        participant = try reader.readString("certificate participant", limit: 64)
        guard let role = Role(rawValue: try reader.readByte("certificate role")) else {
            throw reader.failure(.invalidValue, "certificate role")
        }
        self.role = role
        notBefore = HybridTimestamp(rawValue: try reader.readVarint("certificate validity"))
        notAfter = HybridTimestamp(rawValue: try reader.readVarint("certificate validity"))
        guard let issuer = try? SitePublicKey(rawRepresentation: try reader.readBytes(32, "certificate issuer")) else {
            throw reader.failure(.invalidValue, "certificate issuer")
        }
        self.issuer = issuer
        signature = Array(try reader.readBytes(64, "certificate signature"))
        try reader.expectEnd("certificate")
    }
}

/// The revocation of a certificate, signed by the root key that issued it.
public struct Revocation: Hashable, Sendable {
    /// The serial of the certificate revoked.
    public let serial: UInt64
    /// The site whose certificate it is.
    public let site: SiteID
    /// When the secretariat revoked it.
    public let revokedAt: HybridTimestamp
    /// Why, in words.
    public let reason: String
    /// The root key that signed it.
    public let issuer: SitePublicKey
    /// The root's Ed25519 signature.
    public let signature: [UInt8]

    /// Version 1 binds the signing key; version 2 also the encryption key.
    static let version: UInt8 = 1, versionWithEncryptionKey: UInt8 = 2
    static let domain = Array("gfmd revocation v1".utf8) + [0]

    /// Revokes `certificate`, signed by `root`.
    public static func issue(_ certificate: Certificate, at time: HybridTimestamp, reason: String, root: SiteSigningKey) -> Revocation {
        let unsigned = Revocation(serial: certificate.serial, site: certificate.site, revokedAt: time, reason: reason,
                                  issuer: root.publicKey, signature: [])
        return Revocation(serial: certificate.serial, site: certificate.site, revokedAt: time, reason: reason,
                          issuer: root.publicKey, signature: root.signature(for: domain + unsigned.signedBytes))
    }

    private init(serial: UInt64, site: SiteID, revokedAt: HybridTimestamp, reason: String, issuer: SitePublicKey, signature: [UInt8]) {
        self.serial = serial
        self.site = site
        self.revokedAt = revokedAt
        self.reason = reason
        self.issuer = issuer
        self.signature = signature
    }

    var signedBytes: [UInt8] {
        var writer = ByteWriter(capacity: 96)
        writer.write(byte: Self.version)
        writer.write(varint: serial)
        writer.write(id: site)
        writer.write(varint: revokedAt.rawValue)
        writer.write(string: reason)
        writer.write(raw: issuer.rawRepresentation)
        return writer.bytes
    }

    /// The canonical encoding: the signed bytes, then the 64-byte signature.
    public var encoded: [UInt8] { signedBytes + signature }

    /// Whether the signature verifies with the issuer key.
    public var isSignatureValid: Bool {
        CheckedSignatures.isValid(signature, for: Self.domain + signedBytes, by: issuer)
    }

    /// Reads a revocation written by ``encoded``.
    public init(decoding bytes: [UInt8]) throws(FormatError) {
        var reader = ByteReader(bytes)
        let version = try reader.readByte("revocation version")
        guard version == Self.version else { throw reader.failure(.unsupportedVersion, "revocation version \(version)") }
        serial = try reader.readVarint("revocation serial")
        site = try reader.readID(SiteID.self, "revocation site")
        revokedAt = HybridTimestamp(rawValue: try reader.readVarint("revocation time"))
        reason = try reader.readString("revocation reason", limit: 1024)
        guard let issuer = try? SitePublicKey(rawRepresentation: try reader.readBytes(32, "revocation issuer")) else {
            throw reader.failure(.invalidValue, "revocation issuer")
        }
        self.issuer = issuer
        signature = Array(try reader.readBytes(64, "revocation signature"))
        try reader.expectEnd("revocation")
    }
}
