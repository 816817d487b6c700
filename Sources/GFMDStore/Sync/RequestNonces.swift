import Foundation
public import GFMDCore
import GRDB

extension StoreReader {
    /// The nonces admitted in requests signed at `since` or later.
    public func admittedNonces(since: UInt64) throws -> [AdmittedNonce] {
        try Row.fetchAll(db, sql: "SELECT site, nonce, signed FROM request_nonce WHERE signed >= ?", arguments: [Int64(clamping: since)]).map {
            AdmittedNonce(site: try SiteID(data: $0[0]), nonce: [UInt8]($0[1] as Data), signed: UInt64(max(0, $0[2] as Int64)))
        }
    }
}

extension StoreWriter {
    /// Remembers an admitted nonce, and forgets those signed before `forgetBefore`.
    public func remember(_ nonce: AdmittedNonce, forgetBefore: UInt64) throws {
        try db.execute(sql: "INSERT OR IGNORE INTO request_nonce(site, nonce, signed) VALUES (?, ?, ?)",
                       arguments: [nonce.site.data, Data(nonce.nonce), Int64(clamping: nonce.signed)])
        try db.execute(sql: "DELETE FROM request_nonce WHERE signed < ?", arguments: [Int64(clamping: forgetBefore)])
    }
}
