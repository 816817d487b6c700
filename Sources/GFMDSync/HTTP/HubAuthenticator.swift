public import GFMDCore

/// Decides whether the hub serves a signed request (`Protocol/http.md`,
/// "Verdicts"): a pure function of the request, the hub's trust record and
/// clock, and its replay window.
///
/// The checks run cheapest first, and a nonce is remembered only once every
/// other check passed, so junk cannot fill the window:
///
/// 1. the time lies within the skew window (`clock_skew`, 401);
/// 2. the signature verifies for the key named (`bad_signature`, 401);
/// 3. the key's site holds a certificate of the hub's root, in the hub's
///    trust record or carried by the request (`unenrolled`, 401), not
///    revoked (`revoked`, 403), valid now (`expired`, 403);
/// 4. the nonce is new (`replayed`, 401).
public enum HubAuthenticator {
    /// The certificate of the site that signed `request`, or why it is refused.
    public static func authenticate(
        _ request: SignedRequest, method: String, target: String, bodyDigest: Hash256,
        trust: TrustState, root: SitePublicKey, now: UInt64, replay: inout ReplayWindow
    ) -> Result<Certificate, HubRefusal> {
        if case .failure(let refusal) = replay.checkTime(request.milliseconds, now: now) { return .failure(refusal) }
        guard request.isValid(method: method, target: target, bodyDigest: bodyDigest) else { return .failure(.badSignature) }
        let site = request.key.siteID
        let certificate: Certificate
        switch trust.certificate(of: request.key, carried: request.certificate, at: HybridTimestamp(milliseconds: now, counter: 0), root: root) {
        case .success(let found): certificate = found
        case .failure(let error):
            let refusal: HubRefusal = switch error.code {
            case .revoked: .revoked("site \(site.short) was revoked by the secretariat: this laptop may no longer sync")
            case .expired: .expired("the certificate of site \(site.short) is not valid now: ask the secretariat to certify this laptop again")
            default: .unenrolled("site \(site.short) is not enrolled with this hub's secretariat: no certificate of its root names it")
            }
            return .failure(refusal)
        }
        if case .failure(let refusal) = replay.admit(site: site, nonce: request.nonce, at: request.milliseconds, now: now) {
            return .failure(refusal)
        }
        return .success(certificate)
    }
}
