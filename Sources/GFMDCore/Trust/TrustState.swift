/// The certificates and revocations in some change's causal past: what
/// decides whether that change's author was enrolled when it made it.
public struct TrustState: Hashable, Sendable {
    /// Certificates by enrolled site.
    public private(set) var certificates: [SiteID: [Certificate]] = [:]
    /// Serial numbers revoked.
    public private(set) var revokedSerials: Set<UInt64> = []

    /// No certificate, no revocation.
    public init() {}

    /// Takes in the trust operations of a trust-record change.
    public mutating func apply(_ change: Change) {
        for operation in change.operations {
            switch operation {
            case .certify(let certificate):
                // Kept in one order (by serial, then bytes): the state does not depend on the order its changes came in.
                certificates[certificate.site, default: []].append(certificate)
                if certificates[certificate.site]!.count > 1 {
                    certificates[certificate.site]!.sort(by: Self.inOrder)
                }
            case .revoke(let revocation): revokedSerials.insert(revocation.serial)
            default: continue
            }
        }
    }

    /// The order a site's certificates are kept in: by serial, then by their bytes.
    private static func inOrder(_ first: Certificate, _ second: Certificate) -> Bool {
        first.serial != second.serial ? first.serial < second.serial : first.encoded.lexicographicallyPrecedes(second.encoded)
    }

    /// Why `site` has no usable certificate at `time`, or the certificate it has.
    ///
    /// When several unrevoked certificates of the root are valid at `time`,
    /// the one with the greatest serial (the latest issued) counts.
    public func certificate(for site: SiteID, at time: HybridTimestamp, root: SitePublicKey) -> Result<Certificate, AuthorizationError> {
        let all = (certificates[site] ?? []).filter { $0.issuer == root }
        guard !all.isEmpty else {
            return .failure(AuthorizationError(.unenrolled, "site \(site.short) is not enrolled: no certificate for it is in the change's causal past"))
        }
        let unrevoked = all.filter { !revokedSerials.contains($0.serial) }
        guard !unrevoked.isEmpty else {
            return .failure(AuthorizationError(.revoked, "the certificate of site \(site.short) was revoked before the change was made"))
        }
        guard let valid = unrevoked.filter({ $0.isValid(at: time) }).max(by: { $0.serial < $1.serial }) else {
            return .failure(AuthorizationError(.expired, "the certificate of site \(site.short) is not valid at \(time.iso8601)"))
        }
        return .success(valid)
    }
}

extension TrustState {
    /// The certificate of `key`'s site at `time`, among those held and
    /// `carried` (one the site presents itself) when that one is the root's,
    /// for `key`, and correctly signed; or why it has none
    /// (``certificate(for:at:root:)``).
    public func certificate(of key: SitePublicKey, carried: Certificate?, at time: HybridTimestamp, root: SitePublicKey) -> Result<Certificate, AuthorizationError> {
        // A certificate already held was checked when it was recorded.
        guard let carried, carried.issuer == root, carried.siteKey == key, certificates[key.siteID]?.contains(carried) != true,
              carried.isSignatureValid else {
            return certificate(for: key.siteID, at: time, root: root)
        }
        var candidates = self
        candidates.certificates[key.siteID, default: []].append(carried)
        return candidates.certificate(for: key.siteID, at: time, root: root)
    }

    /// The certificate that makes `key` a sender whose bundles this replica
    /// reads: `carried` (from the bundle's header) when it is the root's, for
    /// `key`, and not revoked here, else one this trust state holds; valid
    /// at `time` (when the bundle was made), for `participant`.
    ///
    /// - Returns: the certificate, or the reason (`unenrolled`, `revoked`,
    ///   `expired`, `wrong_participant`) the sender is refused.
    public func senderCertificate(
        key: SitePublicKey, participant: String, carried: Certificate?, at time: HybridTimestamp, root: SitePublicKey
    ) -> Result<Certificate, AuthorizationError> {
        certificate(of: key, carried: carried, at: time, root: root).flatMap { certificate in
            guard certificate.participant == participant else {
                return .failure(AuthorizationError(.wrongParticipant,
                    "the bundle says it comes from \(TextInput.quoted(participant)), but its sender (site \(key.siteID.short)) is enrolled for \(certificate.participant)"))
            }
            return .success(certificate)
        }
    }
}
