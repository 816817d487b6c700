public import GFMDCore

extension Frontier {
    /// The encoding a replica stores (`Protocol/storage.md`, "Sync"): the count
    /// of sites, then each site's tag and time as u64be, in ascending tag order.
    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: 4 + 16 * entries.count)
        write(to: &writer)
        return writer.bytes
    }

    func write(to writer: inout ByteWriter) {
        writer.write(count: entries.count)
        for (site, time) in entries.sorted(by: { $0.key < $1.key }) {
            writer.write(uint64BigEndian: site.rawValue)
            writer.write(uint64BigEndian: time.rawValue)
        }
    }

    /// Decodes a stored frontier.
    public init(decoding bytes: ArraySlice<UInt8>) throws(FormatError) {
        var reader = ByteReader(bytes)
        try self.init(reading: &reader)
        try reader.expectEnd("frontier")
    }

    init(reading reader: inout ByteReader) throws(FormatError) {
        self.init()
        let count = try reader.readCount("frontier size", minimumElementSize: 16)
        entries.reserveCapacity(count)
        for _ in 0..<count {
            let site = SiteTag(rawValue: try reader.readUInt64BigEndian("frontier site"))
            self[site] = HybridTimestamp(rawValue: try reader.readUInt64BigEndian("frontier time"))
        }
    }
}

extension PeerKnowledge {
    /// The encoding a replica stores: its frontier, the frontier known only
    /// here, extras, wants, whether
    /// its trust-record changes are known (a byte, 0 or 1) and then those (sorted ids), the
    /// time of the newest summary taken (0: none), the times of the bundles sent since,
    /// and the newest bundle sent (its time, 0: none, and the frontier it completed).
    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: 64 + 16 * holds.entries.count + 16 * complete.entries.count + 16 * extras.count)
        holds.write(to: &writer)
        complete.write(to: &writer)
        writer.write(count: extras.count)
        for point in extras.sorted() {
            writer.write(uint64BigEndian: point.site.rawValue)
            writer.write(uint64BigEndian: point.timestamp.rawValue)
        }
        writer.write(sortedHashes: wants.sorted())
        writer.write(byte: trust == nil ? 0 : 1)
        if let trust { writer.write(sortedHashes: trust.sorted()) }
        writer.write(uint64BigEndian: heardAt?.rawValue ?? 0)
        writer.write(count: sent.count)
        for time in sent { writer.write(uint64BigEndian: time.rawValue) }
        writer.write(uint64BigEndian: lastSent?.created.rawValue ?? 0)
        (lastSent?.complete ?? Frontier()).write(to: &writer)
        return writer.bytes
    }

    /// Decodes what a replica stored about `site`.
    public init(site: SiteID, participant: String, decoding bytes: ArraySlice<UInt8>) throws(FormatError) {
        var reader = ByteReader(bytes)
        let holds = try Frontier(reading: &reader)
        let complete = try Frontier(reading: &reader)
        var extras = Set<SitePoint>()
        for _ in 0..<(try reader.readCount("extra count", minimumElementSize: 16)) {
            extras.insert(SitePoint(site: SiteTag(rawValue: try reader.readUInt64BigEndian("extra site")),
                                    timestamp: HybridTimestamp(rawValue: try reader.readUInt64BigEndian("extra time"))))
        }
        let wants = Set(try reader.readSortedHashes("wants"))
        let trust = try reader.readByte("trust known") == 1 ? Set(try reader.readSortedHashes("trust changes")) : nil
        let heard = try reader.readUInt64BigEndian("summary time")
        var sent: [HybridTimestamp] = []
        for _ in 0..<(try reader.readCount("sent count", minimumElementSize: 8)) {
            sent.append(HybridTimestamp(rawValue: try reader.readUInt64BigEndian("sent time")))
        }
        let lastCreated = try reader.readUInt64BigEndian("last sent time")
        let lastComplete = try Frontier(reading: &reader)
        try reader.expectEnd("peer knowledge")
        self.init(site: site, participant: participant, holds: holds, complete: complete, extras: extras, wants: wants, trust: trust,
                  heardAt: heard == 0 ? nil : HybridTimestamp(rawValue: heard), sent: sent,
                  lastSent: lastCreated == 0 ? nil : SentBundle(created: HybridTimestamp(rawValue: lastCreated), complete: lastComplete))
    }
}
