import Foundation
public import GFMDCore
import GRDB

extension StoreReader {
    /// Every web account, by name.
    public func webAccounts() throws -> [WebAccount] {
        try Row.fetchAll(db, sql: "SELECT name, participant, created FROM web_account ORDER BY name").map {
            WebAccount(name: $0[0], participant: $0[1], created: $0[2])
        }
    }
}

extension StoreWriter {
    /// Adds `account`, or changes the participant of the account of that name.
    public func save(_ account: WebAccount) throws {
        try db.execute(sql: """
            INSERT INTO web_account(name, participant, created) VALUES (?, ?, ?)
            ON CONFLICT(name) DO UPDATE SET participant = excluded.participant
            """, arguments: [account.name, account.participant, account.created])
    }

    /// Removes the account `name`, its sign-in links and its sessions; false when there was none.
    public func removeWebAccount(_ name: String) throws -> Bool {
        try db.execute(sql: "DELETE FROM web_link WHERE name = ?", arguments: [name])
        try db.execute(sql: "DELETE FROM web_session WHERE name = ?", arguments: [name])
        try db.execute(sql: "DELETE FROM web_account WHERE name = ?", arguments: [name])
        return db.changesCount > 0
    }

    /// Keeps a sign-in link for `name`: only the SHA-256 of its secret,
    /// usable once before `expires` (milliseconds since 1970).
    public func saveSignInLink(secretHash: Hash256, for name: String, expires: UInt64) throws {
        try db.execute(sql: "INSERT INTO web_link(hash, name, expires) VALUES (?, ?, ?)",
                       arguments: [secretHash.data, name, Int64(expires)])
    }

    /// Uses up the sign-in link whose secret hashes to `secretHash`: its
    /// account when the link exists, is unused and has not expired at `now`;
    /// nil otherwise. Expired and used links are deleted on the way.
    public func redeemSignInLink(secretHash: Hash256, now: UInt64) throws -> WebAccount? {
        let row = try Row.fetchOne(db, sql: """
            SELECT a.name, a.participant, a.created, l.expires FROM web_link l JOIN web_account a ON a.name = l.name WHERE l.hash = ?
            """, arguments: [secretHash.data])
        try db.execute(sql: "DELETE FROM web_link WHERE hash = ? OR expires <= ?", arguments: [secretHash.data, Int64(now)])
        guard let row, (row[3] as Int64) > Int64(now) else { return nil }
        return WebAccount(name: row[0], participant: row[1], created: row[2])
    }
}
