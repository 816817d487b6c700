public import GFMDCore
import GFMDStore

/// The hub's web sessions, kept across a restart as the SHA-256 of each token.
extension Replica {
    /// Opens a web session for `account`, lasting `lifetime` milliseconds:
    /// its token, 64 hexadecimal digits. Only the token's SHA-256 is kept.
    public func openWebSession(for account: WebAccount, lifetime: UInt64) throws -> String {
        var generator = SystemRandomNumberGenerator()
        let token = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let now = clock.nowMilliseconds()
        try store.write { try $0.saveWebSession(tokenHash: Hash256.of(token), for: account.name, expires: now + lifetime, now: now) }
        return Hex.encode(token)
    }

    /// The account of the session `token` while it lasts and its account
    /// exists; nil for a malformed, unknown or expired token.
    public func webSession(_ token: String) throws -> WebAccount? {
        guard token.utf8.count == 64, let bytes = Hex.decode(token) else { return nil }
        let now = clock.nowMilliseconds()
        return try read { try $0.webSession(tokenHash: Hash256.of(bytes), now: now) }
    }

    /// Ends the session `token`, if there is one.
    public func closeWebSession(_ token: String) throws {
        guard token.utf8.count == 64, let bytes = Hex.decode(token) else { return }
        try store.write { try $0.removeWebSession(tokenHash: Hash256.of(bytes)) }
    }
}
