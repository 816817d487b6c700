import Foundation
public import GFMDCore
import GRDB

/// The hub's web sessions (`Protocol/storage.md`, `web_session`): only the
/// SHA-256 of each token is kept, so sessions survive a restart and a copy
/// of the database opens none.
extension StoreReader {
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
