/// The proof that this replica's site is in use on another computer too:
/// its replica folder was copied, or restored from a backup, and both copies
/// went on making changes (`Protocol/sync.md`, "Copied replica folders").
public struct CopyNotice: Hashable, Sendable, Codable {
    /// The earliest time of a change of this site that this replica did not
    /// make (or, when only a claim gave it away, when the claim was made).
    public let since: HybridTimestamp
    /// When this replica found out, on its own clock.
    public let detected: HybridTimestamp
    /// The bundle file, or hub, that brought the proof.
    public let through: String

    /// A notice.
    public init(since: HybridTimestamp, detected: HybridTimestamp, through: String) {
        self.since = since
        self.detected = detected
        self.through = through
    }

    enum CodingKeys: String, CodingKey { case since, detected, through }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        since = HybridTimestamp(rawValue: try container.decode(UInt64.self, forKey: .since))
        detected = HybridTimestamp(rawValue: try container.decode(UInt64.self, forKey: .detected))
        through = try container.decode(String.self, forKey: .through)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(since.rawValue, forKey: .since)
        try container.encode(detected.rawValue, forKey: .detected)
        try container.encode(through, forKey: .through)
    }
}
