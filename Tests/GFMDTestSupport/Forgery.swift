public import Foundation
public import GFMDCore
import GFMDBundle
import GFMDReplica

/// Makes changes with a replica's own key but without its checks, as a
/// modified gfmd could: the peers' authorisation must refuse them.
public enum Forgery {
    /// The site key stored in replica folder `directory` (`site.key`, one
    /// line `gfmd-site-key-v1 <hex seed>`, as `Protocol/storage.md` describes).
    public static func siteKey(in directory: URL) throws -> SiteSigningKey {
        let line = try String(contentsOf: directory.appendingPathComponent("site.key"), encoding: .utf8)
        let parts = line.split(whereSeparator: \.isWhitespace)
        guard parts.count == 2, parts[0] == "gfmd-site-key-v1", let seed = Hex.decode(String(parts[1])) else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return try SiteSigningKey(rawRepresentation: seed)
    }

    /// The certificate of the replica in folder `directory`, as its bundles carry it.
    public static func certificate(in directory: URL) throws -> Certificate? {
        try Replica.open(at: directory).certificate()
    }

    /// A bundle of one change of `record`, signed by `key` for `participant`,
    /// carrying `certificate` in its header.
    public static func bundle(
        key: SiteSigningKey, participant: String, author: String, record: RecordID, dependencies: [ChangeHash],
        operations: [ChangeOperation], at time: HybridTimestamp, certificate: Certificate? = nil
    ) -> (bytes: [UInt8], change: ChangeHash) {
        let change = EncodedChange(Change(record: record, site: key.siteID, participant: participant, author: author,
                                          timestamp: time, dependencies: dependencies.sorted(), operations: operations))
        let commit = BundleCommit(VerifiedCommit.signing([change], with: key))
        return (Bundle.encode([commit], sender: key, participant: participant, certificate: certificate, created: time), change.hash)
    }
}
