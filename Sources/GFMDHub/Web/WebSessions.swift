import Foundation
import GFMDCore
import GFMDStore

/// The web pages' sessions, in the hub's memory: a random token per
/// sign-in, sent back as a cookie, valid for ``lifetime``. A restart signs
/// everybody out; a sign-in link is needed again.
actor WebSessions {
    /// How long a session lasts after its sign-in.
    static let lifetime: Duration = .seconds(8 * 3600)

    private var sessions: [String: (account: WebAccount, expires: ContinuousClock.Instant)] = [:]

    /// Opens a session for `account`; its token.
    func open(for account: WebAccount) -> String {
        var generator = SystemRandomNumberGenerator()
        let token = Hex.encode((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        let now = ContinuousClock.now
        sessions = sessions.filter { $0.value.expires > now }
        sessions[token] = (account, now + Self.lifetime)
        return token
    }

    /// The account of the session `token`, while it lasts.
    func account(for token: String) -> WebAccount? {
        guard let session = sessions[token] else { return nil }
        guard session.expires > ContinuousClock.now else {
            sessions[token] = nil
            return nil
        }
        return session.account
    }

    /// Ends the session `token`.
    func close(_ token: String) {
        sessions[token] = nil
    }
}
