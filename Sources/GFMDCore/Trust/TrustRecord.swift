import Crypto

/// The trust record: the one record per root key that holds the certificates
/// and revocations the root signed, so that they travel in bundles and sit in
/// the causal past of the changes they authorise (`Protocol/trust.md`).
public enum TrustRecord {
    /// The trust record's type name.
    public static let type = "trust"

    /// The trust record's id for root key `root`: the first 16 bytes of
    /// SHA-256("gfmd trust record" ‖ 0x00 ‖ root key). Every replica pinning
    /// the same root computes the same id.
    public static func id(for root: SitePublicKey) -> RecordID {
        RecordID(bytes: Hash256.of(Array("gfmd trust record".utf8) + [0] + root.rawRepresentation).bytes.prefix(16))
    }

    /// The set field holding certificates (as hexadecimal encodings).
    public static let certificatesField = "certificates"
    /// The set field holding revocations (as hexadecimal encodings).
    public static let revocationsField = "revocations"

    /// The sites `change` certifies or revokes.
    public static func sites(concernedBy change: Change) -> Set<SiteID> {
        var sites = Set<SiteID>()
        for operation in change.operations {
            switch operation {
            case .certify(let certificate): sites.insert(certificate.site)
            case .revoke(let revocation): sites.insert(revocation.site)
            default: continue
            }
        }
        return sites
    }
}
