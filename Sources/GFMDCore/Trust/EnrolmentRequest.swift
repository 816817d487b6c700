/// A site's request to be enrolled, signed by the site's own key to prove it
/// holds it (`Protocol/trust.md`, "Requests").
public struct EnrolmentRequest: Hashable, Sendable {
    /// The site's key.
    public let siteKey: SitePublicKey
    /// The participant the site asks to act for.
    public let participant: String
    /// The person who asks.
    public let author: String
    /// When the request was made.
    public let created: HybridTimestamp
    /// The site's signature over the rest.
    public let signature: [UInt8]

    static let magic = Array("GFMDREQ1".utf8)
    static let domain = Array("gfmd request v1".utf8) + [0]

    /// A request signed by `key`.
    public init(key: SiteSigningKey, participant: String, author: String, created: HybridTimestamp) {
        let unsigned = EnrolmentRequest(siteKey: key.publicKey, participant: participant, author: author, created: created, signature: [])
        self.init(siteKey: key.publicKey, participant: participant, author: author, created: created,
                  signature: key.signature(for: Self.domain + unsigned.signedBytes))
    }

    private init(siteKey: SitePublicKey, participant: String, author: String, created: HybridTimestamp, signature: [UInt8]) {
        self.siteKey = siteKey
        self.participant = participant
        self.author = author
        self.created = created
        self.signature = signature
    }

    var signedBytes: [UInt8] {
        var writer = ByteWriter(capacity: 96)
        writer.write(raw: Self.magic)
        writer.write(raw: siteKey.rawRepresentation)
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
        guard (try? reader.readBytes(8, "request magic")).map(Array.init) == Self.magic else {
            throw FormatError(.invalidValue, at: 0, reading: "enrolment request (it does not start with GFMDREQ1)")
        }
        guard let key = try? SitePublicKey(rawRepresentation: try reader.readBytes(32, "request site key")) else {
            throw reader.failure(.invalidValue, "request site key")
        }
        let participant = try reader.readString("request participant", limit: 64)
        let author = try reader.readString("request author", limit: 256)
        let created = HybridTimestamp(rawValue: try reader.readVarint("request time"))
        let signature = Array(try reader.readBytes(64, "request signature"))
        try reader.expectEnd("enrolment request")
        self.init(siteKey: key, participant: participant, author: author, created: created, signature: signature)
        guard siteKey.isValidSignature(signature, for: Self.domain + signedBytes) else {
            throw SignatureError(.badSignature, "the enrolment request is not signed by the key it presents")
        }
    }
}
