public import GFMDCore

/// A site for core tests: a deterministic key and a clock, making changes by hand.
public struct TestSite: Sendable {
    /// The site's key.
    public let key: SiteSigningKey
    /// The participant it acts for.
    public let participant: String
    /// The author recorded on its changes.
    public let author: String
    private var clock = HybridLogicalClock()
    private var wall: UInt64

    /// A site whose key is derived from `seed`.
    public init(seed: UInt8, participant: String = "PHL", author: String = "Test Author", wall: UInt64 = 1_795_000_000_000) {
        key = try! SiteSigningKey(rawRepresentation: [UInt8](repeating: seed, count: 32))
        self.participant = participant
        self.author = author
        self.wall = wall
    }

    /// The site's id.
    public var id: SiteID { key.siteID }

    /// Makes a change of `record` on `dependencies`.
    public mutating func change(_ record: RecordID, on dependencies: [ChangeHash], _ operations: [ChangeOperation]) -> EncodedChange {
        wall += 1
        let timestamp = clock.tick(wallMilliseconds: wall)
        return EncodedChange(Change(
            record: record, site: id, participant: participant, author: author,
            timestamp: timestamp, dependencies: dependencies, operations: operations))
    }

    /// Makes the change creating a practice titled `title`.
    public mutating func create(_ record: RecordID, title: String = "A practice") -> EncodedChange {
        change(record, on: [], [.create(type: "practice", owner: participant), .set(field: "title", value: .string(title), pred: [])])
    }
}

/// A record id from a small number, for readable tests.
public func testRecordID(_ n: UInt64) -> RecordID {
    RecordID(words: (0x1000_0000_0000_0000 | n, n))
}
