/// The encoding of sequence edits inside a text or list operation
/// (`Protocol/changes.md`, "Sequence edits").
///
/// Sites other than the change's author are listed once per operation and
/// named by index (0 is the author). Counters are written as differences from
/// a nearby counter, so a typed run costs a few bytes beyond its text.
enum SequenceEditCoding {
    static func zigzag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }

    static func unzigzag(_ value: UInt64) -> Int64 {
        Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
    }

    static func delta(_ value: UInt64, from base: UInt64) -> UInt64 {
        zigzag(Int64(bitPattern: value &- base))
    }

    static func encode(_ edits: [SequenceEdit], author: SiteID, placeholders: Bool, into writer: inout ByteWriter) {
        var others = Set<SiteID>()
        for edit in edits {
            switch edit {
            case .insert(_, let left, let right, _):
                for id in [left, right].compactMap({ $0 }) where id.site != author { others.insert(id.site) }
            case .delete(let ranges):
                for range in ranges where range.site != author { others.insert(range.site) }
            }
        }
        let sites = others.sorted()
        let index = Dictionary(uniqueKeysWithValues: sites.enumerated().map { ($0.element, $0.offset + 1) })
        writer.write(count: sites.count)
        for site in sites { writer.write(id: site) }
        func siteNumber(_ site: SiteID) -> Int { site == author ? 0 : index[site]! }

        writer.write(count: edits.count)
        var nextInsert: UInt64 = 0
        var last: UInt64 = 0
        for edit in edits {
            switch edit {
            case .insert(let counter, let left, let right, let content):
                writer.write(byte: 1)
                writer.write(varint: delta(counter, from: nextInsert))
                // The right origin is usually next to the left one: count from it.
                for (origin, base) in [(left, counter), (right, left?.counter ?? counter)] {
                    guard let origin else {
                        writer.write(varint: 0)
                        continue
                    }
                    writer.write(count: siteNumber(origin.site) + 1)
                    writer.write(varint: delta(origin.counter, from: base))
                }
                if placeholders {
                    writer.write(count: content.count)
                } else {
                    writer.write(scalars: content)
                }
                nextInsert = counter &+ UInt64(content.count)
                last = counter
            case .delete(let ranges):
                writer.write(byte: 2)
                writer.write(count: ranges.count)
                for range in ranges {
                    writer.write(count: siteNumber(range.site))
                    writer.write(varint: delta(range.counter, from: last))
                    writer.write(varint: range.count)
                    last = range.counter &+ range.count
                }
            }
        }
    }

    static func decode(from reader: inout ByteReader, author: SiteID, placeholders: Bool, _ context: @autoclosure () -> String) throws(FormatError) -> [SequenceEdit] {
        let siteCount = try reader.readCount(context() + " sites", minimumElementSize: 16)
        var sites = [author]
        for _ in 0..<siteCount {
            let site = try reader.readID(SiteID.self, context() + " site")
            if site == author || (sites.count > 1 && !(sites[sites.count - 1] < site)) {
                throw reader.failure(.notCanonical, context() + " sites")
            }
            sites.append(site)
        }
        func site(_ number: UInt64) throws(FormatError) -> SiteID {
            guard number < UInt64(sites.count) else { throw reader.failure(.invalidValue, context() + " site number") }
            return sites[Int(number)]
        }
        func counter(_ base: UInt64) throws(FormatError) -> UInt64 {
            base &+ UInt64(bitPattern: unzigzag(try reader.readVarint(context() + " counter")))
        }
        let count = try reader.readCount(context() + " edits", minimumElementSize: 2)
        var edits: [SequenceEdit] = []
        edits.reserveCapacity(count)
        var nextInsert: UInt64 = 0
        var last: UInt64 = 0
        for _ in 0..<count {
            switch try reader.readByte(context() + " edit kind") {
            case 1:
                let first = try counter(nextInsert)
                var origins: [CharID?] = []
                for _ in 0..<2 {
                    let number = try reader.readVarint(context() + " origin")
                    let base = origins.first??.counter ?? first
                    origins.append(number == 0 ? nil : CharID(site: try site(number - 1), counter: try counter(base)))
                }
                let content: [Unicode.Scalar]
                if placeholders {
                    let items = try reader.readVarint(context() + " items")
                    guard items <= 1 << 16 else { throw reader.failure(.tooLarge, context() + " items") }
                    content = [Unicode.Scalar](repeating: SequenceEdit.itemPlaceholder, count: Int(items))
                } else {
                    content = Array(try reader.readString(context() + " text").unicodeScalars)
                }
                guard !content.isEmpty, first <= UInt64.max - UInt64(content.count) else {
                    throw reader.failure(.invalidValue, context() + " insertion")
                }
                edits.append(.insert(counter: first, left: origins[0], right: origins[1], content: content))
                nextInsert = first + UInt64(content.count)
                last = first
            case 2:
                let rangeCount = try reader.readCount(context() + " ranges", minimumElementSize: 3)
                guard rangeCount > 0 else { throw reader.failure(.invalidValue, context() + " deletion") }
                var ranges: [CharRange] = []
                for _ in 0..<rangeCount {
                    let rangeSite = try site(try reader.readVarint(context() + " range site"))
                    let start = try counter(last)
                    let length = try reader.readVarint(context() + " range length")
                    guard length > 0, start <= UInt64.max - length else { throw reader.failure(.invalidValue, context() + " range") }
                    ranges.append(CharRange(site: rangeSite, counter: start, count: length))
                    last = start + length
                }
                edits.append(.delete(ranges))
            default:
                throw reader.failure(.invalidValue, context() + " edit kind")
            }
        }
        return edits
    }
}
