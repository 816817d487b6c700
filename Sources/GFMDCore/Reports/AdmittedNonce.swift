/// A signed request's nonce the hub admitted, kept so that a restart does
/// not forget it (`Protocol/http.md`, "Verdicts", check 4).
public struct AdmittedNonce: Sendable, Hashable {
    /// The signing site.
    public let site: SiteID
    /// The request's `GFMD-Nonce`.
    public let nonce: [UInt8]
    /// The request's `GFMD-Time`, milliseconds since 1970.
    public let signed: UInt64

    /// A nonce `site` used in a request signed at `signed`.
    public init(site: SiteID, nonce: [UInt8], signed: UInt64) {
        self.site = site
        self.nonce = nonce
        self.signed = signed
    }
}
