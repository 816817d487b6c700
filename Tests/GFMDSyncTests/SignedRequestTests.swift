import GFMDCore
import GFMDSync
import Testing

@Suite("Signed requests and responses to the hub")
struct SignedRequestTests {
    let key = try! SiteSigningKey(rawRepresentation: [UInt8](repeating: 7, count: 32))
    let nonce = [UInt8](repeating: 0xA5, count: 16)
    let body = Array("a bundle".utf8)

    func headers(_ request: SignedRequest) -> [String: String] {
        Dictionary(uniqueKeysWithValues: request.headers.map { ($0.name, $0.value) })
    }

    @Test("a signature holds for its method, target, body and time, and for nothing else")
    func coverage() throws {
        let signed = SignedRequest(method: "POST", target: "/v1/sync", body: body, key: key, milliseconds: 1_800_000_000_000, nonce: nonce)
        let read = try SignedRequest { headers(signed)[$0] }
        #expect(read == signed)
        #expect(read.isValid(method: "POST", target: "/v1/sync", bodyDigest: Hash256.of(body)))
        #expect(!read.isValid(method: "GET", target: "/v1/sync", bodyDigest: Hash256.of(body)))
        #expect(!read.isValid(method: "POST", target: "/v1/sync?x", bodyDigest: Hash256.of(body)))
        #expect(!read.isValid(method: "POST", target: "/v1/sync", bodyDigest: Hash256.of(body + [0])))
        var altered = headers(signed)
        altered[SignedRequest.timeHeader] = "1800000000001"
        #expect(!(try SignedRequest { altered[$0] }).isValid(method: "POST", target: "/v1/sync", bodyDigest: Hash256.of(body)))
        let other = try SiteSigningKey(rawRepresentation: [UInt8](repeating: 8, count: 32))
        altered = headers(signed)
        altered[SignedRequest.keyHeader] = Hex.encode(other.publicKey.rawRepresentation)
        #expect(!(try SignedRequest { altered[$0] }).isValid(method: "POST", target: "/v1/sync", bodyDigest: Hash256.of(body)))
    }

    @Test("missing and malformed headers are refused with a code that names them")
    func malformed() {
        let signed = SignedRequest(method: "POST", target: "/v1/sync", body: body, key: key, milliseconds: 1, nonce: nonce)
        let cases: [(String?, String, String, String)] = [
            (nil, SignedRequest.nonceHeader, "unsigned", "GFMD-Nonce"),
            ("zz", SignedRequest.keyHeader, "malformed_header", "GFMD-Key"),
            ("12a", SignedRequest.timeHeader, "malformed_header", "GFMD-Time"),
            ("-1", SignedRequest.timeHeader, "malformed_header", "GFMD-Time"),
            ("99999999999999999999999", SignedRequest.timeHeader, "malformed_header", "GFMD-Time"),
            ("a5a5", SignedRequest.nonceHeader, "malformed_header", "GFMD-Nonce"),
            (String(repeating: "0", count: 126), SignedRequest.signatureHeader, "malformed_header", "GFMD-Signature"),
        ]
        for (value, header, code, named) in cases {
            var fields = headers(signed)
            fields[header] = value
            #expect(throws: HubRefusal.self) { try SignedRequest { fields[$0] } }
            do { _ = try SignedRequest { fields[$0] } } catch {
                #expect(error.code == code && error.message.contains(named) && error.status / 100 == 4, "\(header)=\(value ?? "nil")")
            }
        }
    }

    @Test("a response verifies only for the request's nonce, its status and body, from a certificate of the pinned root for the secretariat")
    func responses() throws {
        let root = try SiteSigningKey(rawRepresentation: [UInt8](repeating: 1, count: 32))
        let hubKey = try SiteSigningKey(rawRepresentation: [UInt8](repeating: 2, count: 32))
        let start = HybridTimestamp(milliseconds: 1_000, counter: 0), end = HybridTimestamp(milliseconds: 10_000, counter: 0)
        let now = HybridTimestamp(milliseconds: 5_000, counter: 0)
        func certificate(_ participant: String, by issuer: SiteSigningKey) -> Certificate {
            Certificate.issue(serial: 9, siteKey: hubKey.publicKey, participant: participant, role: .secretariat,
                              notBefore: start, notAfter: end, root: issuer)
        }
        let good = SignedResponse(status: 200, nonce: nonce, body: body, key: hubKey, certificate: certificate("SEC", by: root))
        let fields = Dictionary(uniqueKeysWithValues: good.headers.map { ($0.name, $0.value) })
        let read = try SignedResponse { fields[$0] }
        let trust = TrustState()
        #expect(throws: Never.self) { try read.verify(status: 200, nonce: nonce, bodyDigest: Hash256.of(body), root: root.publicKey, trust: trust, now: now).get() }
        let pinned = root.publicKey, moment = now
        func refused(_ response: SignedResponse, status: Int = 200, nonce: [UInt8]? = nil, body: [UInt8]? = nil,
                     root: SitePublicKey? = nil, now: HybridTimestamp? = nil, mentioning words: String) {
            let verdict = response.verify(status: status, nonce: nonce ?? self.nonce, bodyDigest: Hash256.of(body ?? self.body),
                                          root: root ?? pinned, trust: trust, now: now ?? moment)
            guard case .failure(let error) = verdict else { Issue.record("accepted: \(words)"); return }
            #expect(error.reason.contains(words), "\(error.reason)")
        }
        refused(read, status: 403, mentioning: "does not cover")
        refused(read, nonce: [UInt8](repeating: 0, count: 16), mentioning: "replayed")
        refused(read, body: [], mentioning: "altered")
        refused(read, root: hubKey.publicKey, mentioning: "not signed by this replica's secretariat root")
        refused(read, now: HybridTimestamp(milliseconds: 20_000, counter: 0), mentioning: "not valid")
        refused(SignedResponse(status: 200, nonce: nonce, body: body, key: hubKey, certificate: certificate("PHL", by: root)),
                mentioning: "not the secretariat")
        #expect(throws: HubIdentityError.self) { try SignedResponse { _ in nil } }
    }
}
