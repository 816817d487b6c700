/// A person who may read the hub's web pages, as one participant
/// (`Protocol/storage.md`, "Web accounts"): a MEX auditor's account sees
/// what MEX may read, no more.
public struct WebAccount: Sendable, Hashable, Encodable {
    /// The account's name, as the secretariat gave it (an e-mail address, say).
    public let name: String
    /// The participant whose visibility the account's sessions have.
    public let participant: String
    /// When the account was made, ISO 8601 UTC.
    public let created: String

    /// An account record.
    public init(name: String, participant: String, created: String) {
        self.name = name
        self.participant = participant
        self.created = created
    }
}
