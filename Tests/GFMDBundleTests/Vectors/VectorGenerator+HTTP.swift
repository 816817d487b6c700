import GFMDCore
import GFMDSync
import GFMDTestSupport

extension VectorGenerator {
    static let httpRoot = try! SiteSigningKey(rawRepresentation: [UInt8](repeating: 0x11, count: 32))
    static let httpLaptop = try! SiteSigningKey(rawRepresentation: [UInt8](repeating: 0x21, count: 32))
    static let httpLost = try! SiteSigningKey(rawRepresentation: [UInt8](repeating: 0x22, count: 32))
    static let httpStranger = try! SiteSigningKey(rawRepresentation: [UInt8](repeating: 0x23, count: 32))
    static let httpNewcomer = try! SiteSigningKey(rawRepresentation: [UInt8](repeating: 0x24, count: 32))
    static let httpOtherRoot = try! SiteSigningKey(rawRepresentation: [UInt8](repeating: 0x12, count: 32))
    static let httpHub = try! SiteSigningKey(rawRepresentation: [UInt8](repeating: 0x31, count: 32))
    static let httpYear: UInt64 = 365 * 86_400_000

    /// The certificates of the HTTP vectors: a laptop, a revoked laptop, the hub.
    static func httpCertificates() -> [Certificate] {
        let start = HybridTimestamp(milliseconds: created.milliseconds, counter: 0)
        let end = HybridTimestamp(milliseconds: created.milliseconds + httpYear, counter: 0)
        return [(httpLaptop, "PHL", Role.delegate), (httpLost, "PHL", .delegate), (httpHub, "SEC", .secretariat)].enumerated().map { index, site in
            Certificate.issue(serial: UInt64(index + 1), siteKey: site.0.publicKey, participant: site.1, role: site.2,
                              notBefore: start, notAfter: end, root: httpRoot)
        }
    }

    /// A certificate the hub's trust record does not hold, which a request carries.
    static func httpCarried(_ key: SiteSigningKey, by root: SiteSigningKey) -> Certificate {
        Certificate.issue(serial: 4, siteKey: key.publicKey, participant: "PHL", role: .delegate,
                          notBefore: HybridTimestamp(milliseconds: created.milliseconds, counter: 0),
                          notAfter: HybridTimestamp(milliseconds: created.milliseconds + httpYear, counter: 0), root: root)
    }

    static func http() -> M.HTTPFile {
        let now = created.milliseconds + 1_000
        let body = Array("the bytes of a bundle".utf8)
        let nonce = [UInt8](0..<16)
        func request(_ name: String, key: SiteSigningKey = httpLaptop, target: String = "/v1/sync", sentTo: String? = nil,
                     sentBody: [UInt8]? = nil, signedAt: UInt64? = nil, judgedAt: UInt64? = nil, times: Int? = nil,
                     carrying: Certificate? = nil,
                     edit: (inout [String: String]) -> Void = { _ in }, error: (String, Int)? = nil) -> M.HTTPCase {
            let signed = SignedRequest(method: "POST", target: target, body: body, key: key, milliseconds: signedAt ?? now, nonce: nonce,
                                       certificate: carrying)
            var headers = Dictionary(uniqueKeysWithValues: signed.headers.map { ($0.name, $0.value) })
            edit(&headers)
            let input = SignedRequest.signingBytes(method: "POST", target: target, key: key.publicKey, milliseconds: signedAt ?? now,
                                                   nonce: nonce, bodyDigest: Hash256.of(body))
            return M.HTTPCase(
                name: name, message: "request", method: "POST", target: sentTo ?? target, status: nil, requestNonce: nil,
                body: Hex.encode(sentBody ?? body), headers: headers, now: judgedAt ?? signedAt ?? now, times: times,
                signingInput: String(decoding: input, as: UTF8.self),
                expected: error == nil ? M.HTTPExpected(site: key.siteID.hex, participant: "PHL") : nil,
                error: error?.0, httpStatus: error?.1)
        }
        let certificates = httpCertificates()
        func response(_ name: String, key: SiteSigningKey = httpHub, certificate: Certificate? = nil, status: Int = 200,
                      answering: [UInt8]? = nil, sentBody: [UInt8]? = nil, judgedAt: UInt64? = nil, error: String? = nil) -> M.HTTPCase {
            let signed = SignedResponse(status: status, nonce: nonce, body: body, key: key, certificate: certificate ?? certificates[2])
            let input = SignedResponse.signingBytes(status: status, nonce: nonce, key: key.publicKey, bodyDigest: Hash256.of(body))
            return M.HTTPCase(
                name: name, message: "response", method: nil, target: nil, status: status, requestNonce: Hex.encode(answering ?? nonce),
                body: Hex.encode(sentBody ?? body), headers: Dictionary(uniqueKeysWithValues: signed.headers.map { ($0.name, $0.value) }),
                now: judgedAt ?? now, times: nil, signingInput: String(decoding: input, as: UTF8.self),
                expected: error == nil ? M.HTTPExpected(site: key.siteID.hex, participant: "SEC") : nil, error: error, httpStatus: nil)
        }
        let afterExpiry = created.milliseconds + httpYear + 86_400_000
        return M.HTTPFile(
            kind: "http",
            description: "Signed requests to the hub and its signed responses (Protocol/http.md). Requests are judged by a hub holding `trust` at `now`; responses by a laptop that pinned the same root. Each case's `signing_input` is the text its signature covers.",
            trust: M.HTTPTrust(root: Hex.encode(httpRoot.publicKey.rawRepresentation), certificates: certificates.map { Hex.encode($0.encoded) },
                               revokedSerials: [2]),
            valid: [
                request("an enrolled laptop pushes a bundle"),
                request("a request signed four minutes behind the hub's clock is within the window", signedAt: now - 240_000, judgedAt: now),
                request("a laptop the hub holds no certificate for, carrying one of the root", key: httpNewcomer,
                        carrying: httpCarried(httpNewcomer, by: httpRoot)),
                response("the hub answers with a bundle"),
                response("the hub refuses, and signs its refusal", status: 403),
            ],
            mustFail: [
                request("no signature header", edit: { $0[SignedRequest.signatureHeader] = nil }, error: ("unsigned", 401)),
                request("a key that is not hex", edit: { $0[SignedRequest.keyHeader] = "zz" }, error: ("malformed_header", 400)),
                request("the body altered", sentBody: Array("another bundle".utf8), error: ("bad_signature", 401)),
                request("sent to another target than signed", sentTo: "/v1/sync?full=1", error: ("bad_signature", 401)),
                request("signed six minutes behind the hub's clock", signedAt: now - 360_000, judgedAt: now, error: ("clock_skew", 401)),
                request("a site the hub holds no certificate for", key: httpStranger, error: ("unenrolled", 401)),
                request("carrying a certificate of another root", key: httpNewcomer, carrying: httpCarried(httpNewcomer, by: httpOtherRoot),
                        error: ("unenrolled", 401)),
                request("carrying the root's certificate of another key", key: httpStranger, carrying: httpCarried(httpNewcomer, by: httpRoot),
                        error: ("unenrolled", 401)),
                request("a certificate header that is not a certificate", edit: { $0[SignedRequest.certificateHeader] = "00" },
                        error: ("malformed_header", 400)),
                request("a revoked laptop", key: httpLost, error: ("revoked", 403)),
                request("after the certificate's end", signedAt: afterExpiry, error: ("expired", 403)),
                request("the same request twice: the second", times: 2, error: ("replayed", 401)),
                response("an answer to another request", answering: [UInt8](repeating: 0xFF, count: 16), error: "not_the_hub"),
                response("an answer whose body was altered", sentBody: Array("a forged bundle".utf8), error: "not_the_hub"),
                response("a laptop posing as the hub", key: httpLaptop, certificate: certificates[0], error: "not_the_hub"),
                response("after the hub's certificate ended", judgedAt: afterExpiry, error: "not_the_hub"),
            ])
    }
}
