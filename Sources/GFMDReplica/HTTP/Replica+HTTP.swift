public import GFMDCore
public import GFMDSync
import GFMDStore

/// The root and trust state a hub checks requests against, read at one moment.
public struct TrustSnapshot: Sendable {
    /// The pinned secretariat root.
    public let root: SitePublicKey
    /// The certificates and revocations held.
    public let trust: TrustState
}

extension Replica {
    /// The pinned root and the trust state, or nil before enrolment.
    public func trustSnapshot() throws -> TrustSnapshot? {
        try read { reader in
            guard let root = try reader.root() else { return nil }
            return TrustSnapshot(root: root, trust: try trustState(reader))
        }
    }

    /// This replica's clock, in milliseconds since 1970.
    public var nowMilliseconds: UInt64 { clock.nowMilliseconds() }

    /// Signs a request to the hub with this site's key, now, with a fresh
    /// random nonce, carrying this site's certificate (`Protocol/http.md`,
    /// "Signed requests").
    public func signedRequest(method: String, target: String, body: [UInt8]) throws -> SignedRequest {
        var generator = SystemRandomNumberGenerator()
        let nonce = (0..<SignedRequest.nonceLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return SignedRequest(method: method, target: target, body: body, key: try key, milliseconds: nowMilliseconds, nonce: nonce,
                             certificate: try certificate())
    }

    /// Signs the hub's response to the request with `nonce`
    /// (`Protocol/http.md`, "Signed responses"), with `certificate`, this site's.
    public func signedResponse(status: Int, nonce: [UInt8], body: [UInt8], certificate: Certificate) throws -> SignedResponse {
        SignedResponse(status: status, nonce: nonce, body: body, key: try key, certificate: certificate)
    }
}

extension Replica {
    /// The site of the hub that answered at `address` before, if any: a sync
    /// plans its first push for that site alone.
    public func knownHub(at address: String) throws -> SiteID? {
        try read { try $0.hubSite(at: address) }
    }

    /// Remembers that the hub at `address` answered as `site`.
    public func remember(hub site: SiteID, at address: String) throws {
        try store.write { try $0.rememberHub(site, at: address) }
    }

    /// The addresses of the hubs a sync completed with, the most recent
    /// first: where `gfmd sync` goes when given none.
    public func hubAddresses() throws -> [String] {
        try read { try $0.hubAddresses() }
    }

    /// Notes that a sync with the hub at `address` completed.
    public func noteHubAnswered(at address: String) throws {
        try store.write { try $0.noteHubAnswered(at: address) }
    }
}
