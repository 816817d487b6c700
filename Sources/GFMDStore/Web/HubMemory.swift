import Foundation
public import GFMDCore
import GRDB

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

extension StoreReader {
    /// The nonces admitted in requests signed at `since` or later.
    public func admittedNonces(since: UInt64) throws -> [AdmittedNonce] {
        try Row.fetchAll(db, sql: "SELECT site, nonce, signed FROM request_nonce WHERE signed >= ?", arguments: [Int64(clamping: since)]).map {
            AdmittedNonce(site: try SiteID(data: $0[0]), nonce: [UInt8]($0[1] as Data), signed: UInt64(max(0, $0[2] as Int64)))
        }
    }

    /// The account of the web session whose token hashes to `tokenHash`,
    /// while it lasts at `now` and its account exists.
    public func webSession(tokenHash: Hash256, now: UInt64) throws -> WebAccount? {
        try Row.fetchOne(db, sql: """
            SELECT a.name, a.participant, a.created FROM web_session s JOIN web_account a ON a.name = s.name
            WHERE s.hash = ? AND s.expires > ?
            """, arguments: [tokenHash.data, Int64(clamping: now)]).map { WebAccount(name: $0[0], participant: $0[1], created: $0[2]) }
    }
}

extension StoreWriter {
    /// Remembers an admitted nonce, and forgets those signed before `forgetBefore`.
    public func remember(_ nonce: AdmittedNonce, forgetBefore: UInt64) throws {
        try db.execute(sql: "INSERT OR IGNORE INTO request_nonce(site, nonce, signed) VALUES (?, ?, ?)",
                       arguments: [nonce.site.data, Data(nonce.nonce), Int64(clamping: nonce.signed)])
        try db.execute(sql: "DELETE FROM request_nonce WHERE signed < ?", arguments: [Int64(clamping: forgetBefore)])
    }

    /// Keeps a web session for `name` until `expires`: only the SHA-256 of
    /// its token. Expired sessions are forgotten on the way.
    public func saveWebSession(tokenHash: Hash256, for name: String, expires: UInt64, now: UInt64) throws {
        try db.execute(sql: "DELETE FROM web_session WHERE expires <= ?", arguments: [Int64(clamping: now)])
        try db.execute(sql: "INSERT OR REPLACE INTO web_session(hash, name, expires) VALUES (?, ?, ?)",
                       arguments: [tokenHash.data, name, Int64(clamping: expires)])
    }

    /// Ends the web session whose token hashes to `tokenHash`.
    public func removeWebSession(tokenHash: Hash256) throws {
        try db.execute(sql: "DELETE FROM web_session WHERE hash = ?", arguments: [tokenHash.data])
    }
}
