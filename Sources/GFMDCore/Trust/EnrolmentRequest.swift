/// A site's request to be enrolled, signed by the site's own key to prove it
/// holds it (`Protocol/trust.md`, "Requests").
public struct EnrolmentRequest: Hashable, Sendable {
    /// The site's key.
    public let siteKey: SitePublicKey
    /// The site's encryption key, for bundles sealed to it (nil in a
    /// version-1 request, from gfmd before sealed bundles).
    public let encryptionKey: EncryptionKey?
    /// The participant the site asks to act for.
    public let participant: String
    /// The person who asks.
    public let author: String
    /// When the request was made.
    public let created: HybridTimestamp
    /// The site's signature over the rest.
    public let signature: [UInt8]

    /// Version 1 names the signing key; version 2 also the encryption key.
    static let magic = Array("GFMDREQ1".utf8), magicWithEncryptionKey = Array("GFMDREQ2".utf8)
    static let domain = Array("gfmd request v1".utf8) + [0]

    /// A request signed by `key`, carrying its encryption key (version 2,
    /// or version 1 without it, as gfmd wrote before sealed bundles).
    public init(key: SiteSigningKey, participant: String, author: String, created: HybridTimestamp, withEncryptionKey: Bool = true) {
        let encryptionKey = withEncryptionKey ? key.decryptionKey.publicKey : nil
        let unsigned = EnrolmentRequest(siteKey: key.publicKey, encryptionKey: encryptionKey, participant: participant, author: author,
                                        created: created, signature: [])
        self.init(siteKey: key.publicKey, encryptionKey: encryptionKey, participant: participant, author: author, created: created,
                  signature: key.signature(for: Self.domain + unsigned.signedBytes))
    }

    private init(siteKey: SitePublicKey, encryptionKey: EncryptionKey?, participant: String, author: String, created: HybridTimestamp,
                 signature: [UInt8]) {
        self.siteKey = siteKey
        self.encryptionKey = encryptionKey
        self.participant = participant
        self.author = author
        self.created = created
        self.signature = signature
    }

    var signedBytes: [UInt8] {
        var writer = ByteWriter(capacity: 96)
        writer.write(raw: encryptionKey == nil ? Self.magic : Self.magicWithEncryptionKey)
        writer.write(raw: siteKey.rawRepresentation)
        if let encryptionKey { writer.write(raw: encryptionKey.rawRepresentation) }
        writer.write(string: participant)
        writer.write(string: author)
        writer.write(varint: created.rawValue)
        return writer.bytes
    }

    /// The file's bytes.
    public var encoded: [UInt8] { signedBytes + signature }

    /// Reads and checks a request file.
    ///
    /// - Throws: ``FormatError`` when the bytes are not a request, or
    ///   ``SignatureError`` when its signature does not verify.
    public init(decoding bytes: [UInt8]) throws {
        var reader = ByteReader(bytes)
        let magic = (try? reader.readBytes(8, "request magic")).map(Array.init)
        guard magic == Self.magic || magic == Self.magicWithEncryptionKey else {
            throw FormatError(.invalidValue, at: 0, reading: "enrolment request (it does not start with GFMDREQ1 or GFMDREQ2)")
        }
        guard let key = try? SitePublicKey(rawRepresentation: try reader.readBytes(32, "request site key")) else {
            throw reader.failure(.invalidValue, "request site key")
        }
        var encryptionKey: EncryptionKey?
        if magic == Self.magicWithEncryptionKey {
            guard let decoded = try? EncryptionKey(rawRepresentation: try reader.readBytes(32, "request encryption key")) else {
                throw reader.failure(.invalidValue, "request encryption key")
            }
            guard !decoded.isLowOrder else {
                throw reader.failure(.invalidValue, "request encryption key (a low-order X25519 point: what is sealed to it anyone could open)")
            }
            encryptionKey = decoded
        }
        let participant = try reader.readString("request participant", limit: 64)
        let author = try reader.readString("request author", limit: 256)
        let created = HybridTimestamp(rawValue: try reader.readVarint("request time"))
        let signature = Array(try reader.readBytes(64, "request signature"))
        try reader.expectEnd("enrolment request")
        self.init(siteKey: key, encryptionKey: encryptionKey, participant: participant, author: author, created: created, signature: signature)
        guard siteKey.isValidSignature(signature, for: Self.domain + signedBytes) else {
            throw SignatureError(.badSignature, "the enrolment request is not signed by the key it presents")
        }
    }
}
