import Foundation
public import GFMDCore
import GFMDStore

/// A sign-in link for the hub's web pages (`gfmd web-user`): it works once,
/// within ``Replica/signInLinkLifetime``, and opens a session as its account.
/// The hub keeps only the SHA-256 of its secret.
public struct SignInLink: Sendable {
    /// The account it signs in.
    public let account: WebAccount
    /// The secret, 64 hexadecimal digits, shown once.
    public let secret: String
    /// When it stops working, in milliseconds since 1970.
    public let expires: UInt64

    /// The path of the link on the hub.
    public var path: String { "/login/\(secret)" }
}

extension Replica {
    /// How long a sign-in link works: a day, enough for an e-mail to be read.
    public static let signInLinkLifetime: UInt64 = 86_400_000

    /// Adds a web account for `participant` (or changes its participant)
    /// and returns a first sign-in link for it.
    ///
    /// - Throws: ``InputError`` for a name that is empty, longer than 100
    ///   characters or holds spaces or control characters; ``ReplicaError``
    ///   when this replica is not the secretariat's (only the hub serves pages).
    public func addWebAccount(_ name: String, participant: ParticipantCode) throws -> SignInLink {
        try Self.checkAccountName(name)
        guard identity.participant == ParticipantCode.secretariat.rawValue else {
            throw ReplicaError(.invalidRequest, "web accounts live on the hub, a secretariat replica; this one is \(identity.participant)'s")
        }
        let account = WebAccount(name: name, participant: participant.rawValue, created: nowISO8601)
        return try store.write { writer in
            try writer.save(account)
            return try issueLink(for: account, writer: writer)
        }
    }

    /// A new sign-in link for the existing account `name`.
    ///
    /// - Throws: ``InputError`` when there is no such account.
    public func signInLink(for name: String) throws -> SignInLink {
        try store.write { writer in
            guard let account = try writer.reader.webAccounts().first(where: { $0.name == name }) else {
                throw InputError(.invalidValue, "there is no web account \(TextInput.quoted(name)): `gfmd web-user list` lists them")
            }
            return try issueLink(for: account, writer: writer)
        }
    }

    /// Every web account, by name.
    public func webAccounts() throws -> [WebAccount] {
        try read { try $0.webAccounts() }
    }

    /// Removes the account `name` with its links (sessions already open end
    /// at their next request); false when there was none.
    public func removeWebAccount(_ name: String) throws -> Bool {
        try store.write { try $0.removeWebAccount(name) }
    }

    /// Uses up the sign-in link with `secret`: its account, or nil when the
    /// secret is malformed, unknown, used or expired (which one is not told).
    public func redeemSignInLink(_ secret: String) throws -> WebAccount? {
        guard secret.utf8.count == 64, let bytes = Hex.decode(secret) else { return nil }
        let now = clock.nowMilliseconds()
        return try store.write { try $0.redeemSignInLink(secretHash: Hash256.of(bytes), now: now) }
    }

    private func issueLink(for account: WebAccount, writer: StoreWriter) throws -> SignInLink {
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let expires = clock.nowMilliseconds() + Self.signInLinkLifetime
        try writer.saveSignInLink(secretHash: Hash256.of(secret), for: account.name, expires: expires)
        return SignInLink(account: account, secret: Hex.encode(secret), expires: expires)
    }

    static func checkAccountName(_ name: String) throws(InputError) {
        guard !name.isEmpty, name.count <= 100,
              !name.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control }) else {
            throw InputError(.invalidValue, "a web account's name is 1 to 100 characters without spaces (an e-mail address, say), not \(TextInput.quoted(name))")
        }
    }
}
