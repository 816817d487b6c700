import GFMDReplica
import GFMDCore

/// The web pages' sessions: a random token per sign-in, sent back as a
/// cookie, valid for ``lifetime``. The hub's replica keeps the SHA-256 of
/// each token, so sessions survive a restart and a copy of the database
/// opens none.
struct WebSessions: Sendable {
    /// How long a session lasts after its sign-in.
    static let lifetime: Duration = .seconds(8 * 3600)

    let replica: Replica

    /// Opens a session for `account`; its token.
    func open(for account: WebAccount) throws -> String {
        try replica.openWebSession(for: account, lifetime: UInt64(Self.lifetime.components.seconds) * 1000)
    }

    /// The account of the session `token`, while it lasts.
    func account(for token: String) throws -> WebAccount? {
        try replica.webSession(token)
    }

    /// Ends the session `token`.
    func close(_ token: String) throws {
        try replica.closeWebSession(token)
    }
}
