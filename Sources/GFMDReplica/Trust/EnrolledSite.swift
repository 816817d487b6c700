public import GFMDCore
import GFMDStore

/// One certificate of the trust record, as `gfmd sites` lists it: which
/// laptop it enrols, for whom, as what, until when, and whether it was revoked.
public struct EnrolledSite: Sendable, Hashable, Encodable {
    /// The certificate.
    public let certificate: Certificate
    /// Its revocation, when it was revoked.
    public let revocation: Revocation?

    private enum CodingKeys: String, CodingKey {
        case site, participant, role, serial, notBefore, notAfter, revoked, revokedAt, revocationReason
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(certificate.site, forKey: .site)
        try container.encode(certificate.participant, forKey: .participant)
        try container.encode(certificate.role.description, forKey: .role)
        try container.encode(certificate.serial, forKey: .serial)
        try container.encode(certificate.notBefore, forKey: .notBefore)
        try container.encode(certificate.notAfter, forKey: .notAfter)
        try container.encode(revocation != nil, forKey: .revoked)
        try container.encodeIfPresent(revocation?.revokedAt, forKey: .revokedAt)
        try container.encodeIfPresent(revocation?.reason, forKey: .revocationReason)
    }
}

extension Replica {
    /// Every certificate this replica holds, by participant, then site, then serial.
    public func enrolledSites() throws -> [EnrolledSite] {
        try read { try enrolledSites($0) }
    }

    func enrolledSites(_ reader: StoreReader) throws -> [EnrolledSite] {
        guard let trust = try reader.trustRecordID() else { return [] }
        var certificates: [Certificate] = []
        var revocations: [UInt64: Revocation] = [:]
        for stored in try reader.changes(of: trust) {
            for operation in stored.change.operations {
                switch operation {
                case .certify(let certificate): certificates.append(certificate)
                case .revoke(let revocation): revocations[revocation.serial] = revocations[revocation.serial] ?? revocation
                default: continue
                }
            }
        }
        return certificates
            .sorted { ($0.participant, $0.site, $0.serial) < ($1.participant, $1.site, $1.serial) }
            .map { EnrolledSite(certificate: $0, revocation: revocations[$0.serial]) }
    }
}
