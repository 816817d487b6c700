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
        self.init(key: try! SiteSigningKey(rawRepresentation: [UInt8](repeating: seed, count: 32)),
                  participant: participant, author: author, wall: wall)
    }

    /// A site signing with `key`.
    public init(key: SiteSigningKey, participant: String, author: String, wall: UInt64 = 1_795_000_000_000) {
        self.key = key
        self.participant = participant
        self.author = author
        self.wall = wall
    }

    /// The site's id.
    public var id: SiteID { key.siteID }

    /// The next timestamp of the site's clock.
    public mutating func tick() -> HybridTimestamp {
        wall += 1
        return clock.tick(wallMilliseconds: wall)
    }

    /// Makes a change of `record` on `dependencies`, at `timestamp` (else
    /// the site's next one), claiming `participant` (else the site's own).
    public mutating func change(
        _ record: RecordID, on dependencies: [ChangeHash], _ operations: [ChangeOperation],
        at timestamp: HybridTimestamp? = nil, claiming participant: String? = nil
    ) -> EncodedChange {
        let timestamp = timestamp ?? tick()
        return EncodedChange(Change(
            record: record, site: id, participant: participant ?? self.participant, author: author,
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
