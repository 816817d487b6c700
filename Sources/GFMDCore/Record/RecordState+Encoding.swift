/// A value that can be held in a register or set and written into a state encoding.
public protocol StateValue: Hashable, Sendable {
    /// Appends the canonical encoding.
    func encode(into writer: inout ByteWriter)
    /// Reads a value written by ``encode(into:)``.
    static func decode(from reader: inout ByteReader, _ context: @autoclosure () -> String) throws(FormatError) -> Self
}

extension Value: StateValue {}

extension Bool: StateValue {
    public func encode(into writer: inout ByteWriter) { writer.write(byte: self ? 1 : 0) }

    public static func decode(from reader: inout ByteReader, _ context: @autoclosure () -> String) throws(FormatError) -> Bool {
        let byte = try reader.readByte(context())
        guard byte <= 1 else { throw reader.failure(.invalidValue, context()) }
        return byte == 1
    }
}

extension MultiValueRegister where V: StateValue {
    /// Appends the canonical encoding (`Protocol/state.md`).
    public func encode(into writer: inout ByteWriter) {
        writer.write(count: entries.count)
        for entry in entries {
            entry.value.encode(into: &writer)
            writer.write(hash: entry.write)
            writer.write(varint: entry.timestamp.rawValue)
        }
        writer.write(sortedHashes: superseded)
    }

    /// Reads a register written by ``encode(into:)``.
    public static func decode(from reader: inout ByteReader, _ context: String) throws(FormatError) -> MultiValueRegister {
        let count = try reader.readCount(context, minimumElementSize: 34)
        var entries: [Entry] = []
        entries.reserveCapacity(count)
        for _ in 0..<count {
            let value = try V.decode(from: &reader, context)
            let write = try reader.readHash(context)
            let timestamp = HybridTimestamp(rawValue: try reader.readVarint(context))
            if let last = entries.last, !(last.write < write) { throw reader.failure(.notCanonical, context) }
            entries.append(Entry(value: value, write: write, timestamp: timestamp))
        }
        let superseded = try reader.readSortedHashes(context)
        return MultiValueRegister(entries: entries, superseded: superseded)
    }
}

extension ObservedRemoveSet where Element == Value {
    /// Appends the canonical encoding (`Protocol/state.md`): memberships in
    /// the order of their elements' encodings.
    public func encode(into writer: inout ByteWriter) {
        let sorted = memberships.map { (key: $0.key.encoded, membership: $0.value) }
            .sorted { $0.key.lexicographicallyPrecedes($1.key) }
        writer.write(count: sorted.count)
        for (key, membership) in sorted {
            writer.write(raw: key)
            writer.write(sortedHashes: membership.live)
            writer.write(sortedHashes: membership.removed)
        }
    }

    /// Reads a set written by ``encode(into:)``.
    public static func decode(from reader: inout ByteReader, _ context: String) throws(FormatError) -> ObservedRemoveSet {
        let count = try reader.readCount(context, minimumElementSize: 4)
        var memberships: [Value: Membership] = [:]
        for _ in 0..<count {
            let element = try Value.decode(from: &reader, context)
            let live = try reader.readSortedHashes(context)
            let removed = try reader.readSortedHashes(context)
            memberships[element] = Membership(live: live, removed: removed)
        }
        return ObservedRemoveSet(memberships: memberships)
    }
}

extension FieldState {
    /// The canonical encoding of the state (`Protocol/state.md`).
    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: 96)
        switch self {
        case .register(let register): register.encode(into: &writer)
        case .set(let set): set.encode(into: &writer)
        case .text(let text): text.encode(into: &writer)
        case .list(let list): list.encode(into: &writer)
        }
        return writer.bytes
    }

    /// Reads a state of `kind` written by ``encoded``.
    public init(kind: Kind, decoding bytes: [UInt8]) throws(FormatError) {
        var reader = ByteReader(bytes)
        switch kind {
        case .register: self = .register(try MultiValueRegister<Value>.decode(from: &reader, "register state"))
        case .set: self = .set(try ObservedRemoveSet<Value>.decode(from: &reader, "set state"))
        case .text: self = .text(try SequenceState.decode(from: &reader, "text state"))
        case .list: self = .list(try ListState.decode(from: &reader, "list state"))
        }
        try reader.expectEnd("field state")
    }
}

extension RecordHeader {
    /// The canonical encoding of the header (`Protocol/state.md`).
    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: 160)
        writer.write(string: type)
        writer.write(string: owner)
        writer.write(hash: creation)
        writer.write(varint: created.rawValue)
        writer.write(hash: latestChange)
        writer.write(varint: updated.rawValue)
        writer.write(count: changeCount)
        deletion.encode(into: &writer)
        writer.write(sortedHashes: unseenEdits)
        if !labels.isEmpty {
            writer.write(count: labels.count)
            for (change, site) in labels.sorted(by: { $0.key < $1.key }) {
                writer.write(hash: change)
                writer.write(id: site)
            }
        }
        return writer.bytes
    }

    /// Reads a header written by ``encoded``.
    public init(decoding bytes: [UInt8]) throws(FormatError) {
        var reader = ByteReader(bytes)
        type = try reader.readString("record type")
        owner = try reader.readString("record owner")
        creation = try reader.readHash("record creation")
        created = HybridTimestamp(rawValue: try reader.readVarint("record creation time"))
        latestChange = try reader.readHash("record latest change")
        updated = HybridTimestamp(rawValue: try reader.readVarint("record update time"))
        changeCount = try reader.readInt("record change count")
        deletion = try MultiValueRegister<Bool>.decode(from: &reader, "record deletion")
        unseenEdits = try reader.readSortedHashes("record unseen edits")
        if !reader.isAtEnd {
            let count = try reader.readCount("record element labels", minimumElementSize: 48)
            var previous: ChangeHash?
            for _ in 0..<count {
                let change = try reader.readHash("record element label")
                if let previous, !(previous < change) { throw reader.failure(.notCanonical, "record element labels") }
                previous = change
                labels[change] = try reader.readID(SiteID.self, "record element label site")
            }
            guard count > 0 else { throw reader.failure(.notCanonical, "record element labels") }
        }
        try reader.expectEnd("record header")
    }
}

extension RecordState {
    /// The canonical encoding of the whole merged record (`Protocol/state.md`):
    /// the header, then every field state in ascending ``FieldKey`` order.
    public var encodedState: [UInt8] {
        let header = header.encoded
        var writer = ByteWriter(capacity: header.count + fields.count * 96)
        writer.write(lengthPrefixed: header)
        writer.write(count: fields.count)
        for (key, field) in fields.sorted(by: { $0.key < $1.key }) {
            writer.write(string: key.name)
            writer.write(string: key.kind.rawValue)
            writer.write(lengthPrefixed: field.encoded)
        }
        return writer.bytes
    }

    /// Reads a record written by ``encodedState``.
    public init(id: RecordID, decoding bytes: [UInt8]) throws(FormatError) {
        var reader = ByteReader(bytes)
        let header = try RecordHeader(decoding: Array(try reader.readLengthPrefixed("record header")))
        let count = try reader.readCount("field count", minimumElementSize: 3)
        var fields: [FieldKey: FieldState] = [:]
        fields.reserveCapacity(count)
        for _ in 0..<count {
            let name = try reader.readString("field name")
            let kindCode = try reader.readString("field kind")
            guard let kind = FieldState.Kind(rawValue: kindCode) else {
                throw reader.failure(.invalidValue, "field \(name) kind \(kindCode)")
            }
            fields[FieldKey(name, kind)] = try FieldState(kind: kind, decoding: Array(try reader.readLengthPrefixed("field \(name)")))
        }
        try reader.expectEnd("record state")
        self.init(id: id, header: header, fields: fields)
        adoptLabels()
    }
}
