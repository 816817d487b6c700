public import GFMDCore

extension SyncMessage {
    /// The canonical encoding (`Protocol/sync.md`, "Encoding"). Times are
    /// written as their distance back from `created`, the bundle's time. A
    /// frontier time after it (a site whose clock runs ahead) is written as
    /// `created`, which claims less, and such an extra is left out.
    public func encoded(relativeTo created: HybridTimestamp) -> [UInt8] {
        let extras = extras.filter { $0.timestamp <= created }
        var writer = ByteWriter(capacity: 16 + 16 * holds.entries.count + 16 * extras.count + 32 * wants.count)
        writer.write(string: recipient)
        let sites = holds.sites
        writer.write(count: sites.count)
        for site in sites {
            writer.write(uint64BigEndian: site.rawValue)
            writer.write(varint: Self.back(holds[site], from: created) << 1 | (vouched.contains(site) ? 1 : 0))
        }
        writer.write(count: extras.count)
        for point in extras {
            writer.write(uint64BigEndian: point.site.rawValue)
            writer.write(varint: Self.back(point.timestamp, from: created))
        }
        writer.write(sortedHashes: wants)
        writer.write(sortedHashes: trustHeads)
        writer.write(count: taken.count)
        for site in taken.keys.sorted() {
            writer.write(uint64BigEndian: site.rawValue)
            writer.write(varint: Self.back(taken[site]!, from: created))
        }
        switch basis {
        case .nothing:
            writer.write(byte: 0)
        case .sent(let chains):
            writer.write(byte: 1)
            writer.write(count: chains.count)
            for site in chains.keys.sorted() {
                writer.write(uint64BigEndian: site.rawValue)
                let chain = chains[site]!.sorted()
                writer.write(count: chain.count)
                for time in chain { writer.write(varint: Self.back(time, from: created)) }
            }
        }
        return writer.bytes
    }

    /// Decodes a message of a bundle made at `created`.
    ///
    /// - Throws: ``FormatError`` when the bytes are not a canonical message:
    ///   sites not strictly ascending, a time after `created`, a flag other
    ///   than 0 or 1, or trailing bytes.
    public init(decoding bytes: ArraySlice<UInt8>, relativeTo created: HybridTimestamp) throws(FormatError) {
        var reader = ByteReader(bytes)
        func time(_ context: String) throws(FormatError) -> HybridTimestamp {
            let back = try reader.readVarint(context)
            guard back <= created.rawValue else { throw reader.failure(.invalidValue, context + " (later than the bundle)") }
            return HybridTimestamp(rawValue: created.rawValue - back)
        }
        func ascending<T: Comparable>(_ values: [T], _ next: T, _ context: String) throws(FormatError) {
            if let last = values.last, !(last < next) {
                throw reader.failure(.notCanonical, context + " (must ascend strictly)")
            }
        }
        let recipient = try reader.readString("recipient", limit: 255)
        var holds = Frontier()
        var vouched = Set<SiteTag>()
        var sites: [SiteTag] = []
        for _ in 0..<(try reader.readCount("frontier size", minimumElementSize: 9)) {
            let site = SiteTag(rawValue: try reader.readUInt64BigEndian("frontier site"))
            try ascending(sites, site, "frontier sites")
            sites.append(site)
            let packed = try reader.readVarint("frontier time")
            guard packed >> 1 <= created.rawValue else { throw reader.failure(.invalidValue, "frontier time (later than the bundle)") }
            let timestamp = HybridTimestamp(rawValue: created.rawValue - packed >> 1)
            guard timestamp > .zero else { throw reader.failure(.notCanonical, "frontier time (zero is written by leaving the site out)") }
            holds[site] = timestamp
            if packed & 1 == 1 { vouched.insert(site) }
        }
        var extras: [SitePoint] = []
        for _ in 0..<(try reader.readCount("extra count", minimumElementSize: 9)) {
            let point = SitePoint(site: SiteTag(rawValue: try reader.readUInt64BigEndian("extra site")), timestamp: try time("extra time"))
            try ascending(extras, point, "extras")
            extras.append(point)
        }
        let wants = try reader.readSortedHashes("wants")
        let trustHeads = try reader.readSortedHashes("trust heads")
        var taken: [SiteTag: HybridTimestamp] = [:]
        var takenOrder: [SiteTag] = []
        for _ in 0..<(try reader.readCount("taken count", minimumElementSize: 9)) {
            let site = SiteTag(rawValue: try reader.readUInt64BigEndian("taken site"))
            try ascending(takenOrder, site, "taken sites")
            takenOrder.append(site)
            taken[site] = try time("taken time")
        }
        let basis: Basis
        switch try reader.readByte("basis kind") {
        case 0:
            basis = .nothing
        case 1:
            var chains: [SiteTag: [HybridTimestamp]] = [:]
            var order: [SiteTag] = []
            for _ in 0..<(try reader.readCount("basis size", minimumElementSize: 9)) {
                let site = SiteTag(rawValue: try reader.readUInt64BigEndian("basis site"))
                try ascending(order, site, "basis sites")
                order.append(site)
                var chain: [HybridTimestamp] = []
                for _ in 0..<(try reader.readCount("basis bundles")) {
                    let sent = try time("basis bundle time")
                    try ascending(chain, sent, "basis bundle times")
                    chain.append(sent)
                }
                chains[site] = chain
            }
            basis = .sent(chains)
        default:
            throw reader.failure(.invalidValue, "basis kind")
        }
        try reader.expectEnd("sync section")
        self.init(recipient: recipient, holds: holds, vouched: vouched, extras: extras, wants: wants, trustHeads: trustHeads, taken: taken, basis: basis)
    }

    private static func back(_ time: HybridTimestamp, from created: HybridTimestamp) -> UInt64 {
        created.rawValue - min(time, created).rawValue
    }
}

extension SyncMessage {
    /// The fingerprints section (`Protocol/sync.md`, "Fingerprints"): per
    /// site, in ascending tag order, its time as a distance back from
    /// `created`, the count and the XOR. A time after `created` is not
    /// written (its entry is left out).
    public func encodedFingerprints(relativeTo created: HybridTimestamp) -> [UInt8] {
        let entries = fingerprints.filter { $0.value.time <= created && $0.value.time > .zero }.sorted { $0.key < $1.key }
        var writer = ByteWriter(capacity: 2 + 28 * entries.count)
        writer.write(count: entries.count)
        for (site, fingerprint) in entries {
            writer.write(uint64BigEndian: site.rawValue)
            writer.write(varint: created.rawValue - fingerprint.time.rawValue)
            writer.write(varint: fingerprint.count)
            writer.write(uint64BigEndian: fingerprint.xor)
        }
        return writer.bytes
    }

    /// Decodes a fingerprints section of a bundle made at `created`.
    ///
    /// - Throws: ``FormatError`` for tags not strictly ascending
    ///   (`not_canonical`), a time after `created` or of zero
    ///   (`invalid_value`), or trailing bytes.
    public static func fingerprints(decoding bytes: ArraySlice<UInt8>, relativeTo created: HybridTimestamp) throws(FormatError)
        -> [SiteTag: SiteFingerprint] {
        var reader = ByteReader(bytes)
        var result: [SiteTag: SiteFingerprint] = [:]
        var last: SiteTag?
        for _ in 0..<(try reader.readCount("fingerprint count", minimumElementSize: 18)) {
            let site = SiteTag(rawValue: try reader.readUInt64BigEndian("fingerprint site"))
            if let last, !(last < site) { throw reader.failure(.notCanonical, "fingerprint sites (must ascend strictly)") }
            last = site
            let back = try reader.readVarint("fingerprint time")
            guard back < created.rawValue else { throw reader.failure(.invalidValue, "fingerprint time (zero, or later than the bundle)") }
            let count = try reader.readVarint("fingerprint count of changes")
            let xor = try reader.readUInt64BigEndian("fingerprint xor")
            result[site] = SiteFingerprint(time: HybridTimestamp(rawValue: created.rawValue - back), count: count, xor: xor)
        }
        try reader.expectEnd("fingerprints section")
        return result
    }
}
