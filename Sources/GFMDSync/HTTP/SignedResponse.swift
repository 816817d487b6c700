public import GFMDCore

/// The signature the hub puts on each response to a signed request
/// (`Protocol/http.md`, "Signed responses"), so that a laptop detects a fake
/// hub and a replayed answer.
///
/// The hub signs, with its site key, the UTF-8 bytes of
///
///     gfmd-http-1 response
///     STATUS
///     NONCE
///     KEY
///     BODY-SHA256
///
/// (the HTTP status in decimal, the request's nonce, the hub's public key and
/// the body's SHA-256, in lower-case hex), and sends its certificate with it.
public struct SignedResponse: Hashable, Sendable {
    /// The header holding the hub's certificate (its encoding in hex).
    public static let certificateHeader = "GFMD-Certificate"

    /// The hub's certificate.
    public let certificate: Certificate
    /// The Ed25519 signature of ``signingBytes(status:nonce:key:bodyDigest:)``.
    public let signature: [UInt8]

    /// Signs a response with `status` and `body` to the request with `nonce`.
    public init(status: Int, nonce: [UInt8], body: [UInt8], key: SiteSigningKey, certificate: Certificate) {
        self.certificate = certificate
        self.signature = key.signature(for: Self.signingBytes(
            status: status, nonce: nonce, key: key.publicKey, bodyDigest: Hash256.of(body)))
    }

    /// Reads the response's signature headers.
    ///
    /// - Throws: ``HubIdentityError`` when one is missing or malformed.
    public init(headers header: (String) -> String?) throws(HubIdentityError) {
        guard let certificateHex = header(Self.certificateHeader), let signatureHex = header(SignedRequest.signatureHeader) else {
            throw HubIdentityError("the response is not signed: it lacks \(Self.certificateHeader) or \(SignedRequest.signatureHeader)")
        }
        guard let bytes = Hex.decode(certificateHex), let certificate = try? Certificate(decoding: bytes) else {
            throw HubIdentityError("the response's \(Self.certificateHeader) is not a gfmd certificate")
        }
        guard let signature = Hex.decode(signatureHex), signature.count == 64 else {
            throw HubIdentityError("the response's \(SignedRequest.signatureHeader) is not an Ed25519 signature in 128 hex digits")
        }
        self.certificate = certificate
        self.signature = signature
    }

    /// The headers that carry this signature.
    public var headers: [(name: String, value: String)] {
        [(SignedRequest.keyHeader, Hex.encode(certificate.siteKey.rawRepresentation)),
         (Self.certificateHeader, Hex.encode(certificate.encoded)), (SignedRequest.signatureHeader, Hex.encode(signature))]
    }

    /// Checks that this response comes from a hub this replica trusts: a
    /// secretariat site whose certificate is the pinned `root`'s, unrevoked in
    /// `trust` and valid at `now`, whose signature covers this `status`,
    /// the request's `nonce` and the body's digest.
    ///
    /// - Returns: the hub's certificate.
    public func verify(
        status: Int, nonce: [UInt8], bodyDigest: Hash256, root: SitePublicKey, trust: TrustState, now: HybridTimestamp
    ) -> Result<Certificate, HubIdentityError> {
        let site = certificate.site.short
        guard certificate.issuer == root, certificate.isSignatureValid else {
            return .failure(HubIdentityError("the hub's certificate (site \(site)) is not signed by this replica's secretariat root: this is not your secretariat's hub"))
        }
        guard certificate.participant == ParticipantCode.secretariat.rawValue else {
            return .failure(HubIdentityError("the hub's certificate is for \(certificate.participant), not the secretariat: this is not your secretariat's hub"))
        }
        if trust.revokedSerials.contains(certificate.serial) {
            return .failure(HubIdentityError("the hub's certificate (site \(site)) was revoked"))
        }
        guard certificate.isValid(at: now) else {
            return .failure(HubIdentityError("the hub's certificate (site \(site)) is not valid at \(now.iso8601)"))
        }
        let bytes = Self.signingBytes(status: status, nonce: nonce, key: certificate.siteKey, bodyDigest: bodyDigest)
        guard certificate.siteKey.isValidSignature(signature, for: bytes) else {
            return .failure(HubIdentityError("the hub's signature does not cover this response: it was altered, replayed or forged"))
        }
        return .success(certificate)
    }

    /// The bytes a response's signature covers.
    public static func signingBytes(status: Int, nonce: [UInt8], key: SitePublicKey, bodyDigest: Hash256) -> [UInt8] {
        Array(["gfmd-http-1 response", String(status), Hex.encode(nonce), Hex.encode(key.rawRepresentation), bodyDigest.hex]
            .joined(separator: "\n").utf8)
    }
}

/// A response that does not come from a hub this replica trusts.
public struct HubIdentityError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong with the response.
    public let reason: String

    /// Creates the error.
    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}
