/// Who can open a bundle sealed for a participant, by what this replica's
/// trust record says at a moment (`Protocol/bundle.md`, "Sealed bodies").
public struct SealRecipients: Sendable, Hashable {
    /// The participant the bundle is for.
    public let participant: String
    /// A site that can open it, and its encryption key.
    public struct Site: Sendable, Hashable {
        /// The site.
        public let site: SiteID
        /// The key the bundle's content key is sealed to.
        public let key: EncryptionKey

        /// Site `site`, whose encryption key is `key`.
        public init(site: SiteID, key: EncryptionKey) {
            self.site = site
            self.key = key
        }
    }

    /// Its sites that can open it: enrolled, unrevoked, valid, with an encryption key; by site id.
    public let sites: [Site]
    /// Its enrolled sites that cannot: their certificates bind no encryption
    /// key (issued before sealed bundles), or a low-order one nothing
    /// sealed to stays secret, so they must be certified again.
    public let withoutKey: [SiteID]

    /// The recipients `sites` of `participant` (sorted by site), and its sites `withoutKey`.
    public init(participant: String, sites: [Site], withoutKey: [SiteID] = []) {
        self.participant = participant
        self.sites = sites.sorted { $0.site < $1.site }
        self.withoutKey = withoutKey
    }
}

extension TrustState {
    /// The sites of `participant` a bundle made at `time` is sealed to: every
    /// site whose certificate of `root` (the latest usable one,
    /// ``certificate(for:at:root:)``) names `participant` and binds an
    /// encryption key. A site revoked or expired by then is left out; one
    /// enrolled later is not known yet.
    public func recipients(for participant: String, at time: HybridTimestamp, root: SitePublicKey) -> SealRecipients {
        var sites: [SealRecipients.Site] = []
        var withoutKey: [SiteID] = []
        for site in certificates.keys.sorted() {
            guard case .success(let certificate) = certificate(for: site, at: time, root: root), certificate.participant == participant else {
                continue
            }
            if let key = certificate.encryptionKey, !key.isLowOrder { sites.append(SealRecipients.Site(site: site, key: key)) } else { withoutKey.append(site) }
        }
        return SealRecipients(participant: participant, sites: sites, withoutKey: withoutKey)
    }
}
