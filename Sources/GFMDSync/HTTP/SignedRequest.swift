public import GFMDCore

/// The signature a site puts on each request to the hub
/// (`Protocol/http.md`, "Signed requests").
///
/// The site signs, with its Ed25519 site key, the UTF-8 bytes of
///
///     gfmd-http-1 request
///     METHOD
///     PATH
///     KEY
///     TIME
///     NONCE
///     BODY-SHA256
///
/// (lines joined by `\n`, no final newline): the HTTP method in capitals,
/// the request target as sent (path and query), the site's public key, the
/// time in milliseconds since 1970 in decimal, a 16-byte random nonce, and
/// the SHA-256 of the body (of no bytes for an empty body), the three in
/// lower-case hex. The request carries the key, time, nonce and signature
/// in the headers below, and may carry the site's certificate, which a hub
/// that has not received it yet checks against its root.
public struct SignedRequest: Hashable, Sendable {
    /// The header naming the site's public key (64 hex digits).
    public static let keyHeader = "GFMD-Key"
    /// The header holding the signing time (decimal milliseconds since 1970).
    public static let timeHeader = "GFMD-Time"
    /// The header holding the nonce (32 hex digits).
    public static let nonceHeader = "GFMD-Nonce"
    /// The header holding the signature (128 hex digits).
    public static let signatureHeader = "GFMD-Signature"
    /// The header holding the site's certificate (its encoding in hex), when sent.
    public static let certificateHeader = "GFMD-Certificate"
    /// The nonce's length in bytes.
    public static let nonceLength = 16

    /// The signing site's public key.
    public let key: SitePublicKey
    /// When the request was signed, in milliseconds since 1970.
    public let milliseconds: UInt64
    /// The request's nonce: a request is accepted once.
    public let nonce: [UInt8]
    /// The Ed25519 signature of ``signingBytes(method:target:key:milliseconds:nonce:bodyDigest:)``.
    public let signature: [UInt8]
    /// The site's certificate, when the request carries it (not signed: the root's signature vouches for it).
    public let certificate: Certificate?

    /// Signs a request of `method` to `target` with `body`, carrying `certificate` when given.
    public init(method: String, target: String, body: [UInt8], key: SiteSigningKey, milliseconds: UInt64, nonce: [UInt8],
                certificate: Certificate? = nil) {
        self.key = key.publicKey
        self.certificate = certificate
        self.milliseconds = milliseconds
        self.nonce = nonce
        self.signature = key.signature(for: Self.signingBytes(
            method: method, target: target, key: key.publicKey, milliseconds: milliseconds, nonce: nonce,
            bodyDigest: Hash256.of(body)))
    }

    /// Reads the signature headers, `header(name)` giving a header's value.
    ///
    /// - Throws: ``HubRefusal`` `unsigned` when one is missing,
    ///   `malformed_header` when one is not in its form.
    public init(headers header: (String) -> String?) throws(HubRefusal) {
        let names = [Self.keyHeader, Self.timeHeader, Self.nonceHeader, Self.signatureHeader]
        let values = names.map(header)
        guard values.allSatisfy({ $0 != nil }) else {
            let missing = zip(names, values).filter { $0.1 == nil }.map(\.0)
            throw .unsigned("the request is not signed: it lacks the header\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", ")) (Protocol/http.md)")
        }
        guard let keyBytes = Hex.decode(values[0]!), keyBytes.count == 32, let key = try? SitePublicKey(rawRepresentation: keyBytes) else {
            throw .malformedHeader("\(Self.keyHeader) is not an Ed25519 public key in 64 hex digits")
        }
        guard let time = values[1], !time.isEmpty, time.count <= 20, time.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
              let milliseconds = UInt64(time) else {
            throw .malformedHeader("\(Self.timeHeader) is not a time in decimal milliseconds since 1970")
        }
        guard let nonce = Hex.decode(values[2]!), nonce.count == Self.nonceLength else {
            throw .malformedHeader("\(Self.nonceHeader) is not \(Self.nonceLength) bytes in \(Self.nonceLength * 2) hex digits")
        }
        guard let signature = Hex.decode(values[3]!), signature.count == 64 else {
            throw .malformedHeader("\(Self.signatureHeader) is not an Ed25519 signature in 128 hex digits")
        }
        var certificate: Certificate?
        if let hex = header(Self.certificateHeader) {
            guard let bytes = Hex.decode(hex), let decoded = try? Certificate(decoding: bytes) else {
                throw .malformedHeader("\(Self.certificateHeader) is not a gfmd certificate in hex")
            }
            certificate = decoded
        }
        self.key = key
        self.milliseconds = milliseconds
        self.nonce = nonce
        self.signature = signature
        self.certificate = certificate
    }

    /// The headers that carry this signature, in the order above, and the certificate when carried.
    public var headers: [(name: String, value: String)] {
        [(Self.keyHeader, Hex.encode(key.rawRepresentation)), (Self.timeHeader, String(milliseconds)),
         (Self.nonceHeader, Hex.encode(nonce)), (Self.signatureHeader, Hex.encode(signature))]
            + (certificate.map { [(Self.certificateHeader, Hex.encode($0.encoded))] } ?? [])
    }

    /// Whether the signature holds for a request of `method` to `target` whose body hashes to `bodyDigest`.
    public func isValid(method: String, target: String, bodyDigest: Hash256) -> Bool {
        key.isValidSignature(signature, for: Self.signingBytes(
            method: method, target: target, key: key, milliseconds: milliseconds, nonce: nonce, bodyDigest: bodyDigest))
    }

    /// The bytes a request's signature covers.
    public static func signingBytes(
        method: String, target: String, key: SitePublicKey, milliseconds: UInt64, nonce: [UInt8], bodyDigest: Hash256
    ) -> [UInt8] {
        Array(["gfmd-http-1 request", method, target, Hex.encode(key.rawRepresentation), String(milliseconds),
               Hex.encode(nonce), bodyDigest.hex].joined(separator: "\n").utf8)
    }
}
