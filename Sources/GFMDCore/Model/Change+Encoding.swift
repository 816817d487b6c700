extension Change {
    /// The newest change encoding version: 2 adds the sequence (text and
    /// list) operations, 3 the trust operations (certify, revoke). A change is
    /// written in the oldest version that holds its operations, so older
    /// changes keep their ids; every version up to this one is read.
    public static let encodingVersion: UInt8 = 3

    /// The version this change is written in.
    public var version: UInt8 {
        operations.map(\.minimumVersion).max() ?? 1
    }

    /// Longest participant code, author name, record type or field name accepted.
    static let maximumNameBytes = 256

    /// The canonical encoding (`Protocol/changes.md`).
    public func canonicalEncoding() -> [UInt8] {
        var writer = ByteWriter(capacity: 128 + operations.count * 48)
        writer.write(byte: version)
        writer.write(id: record)
        writer.write(id: site)
        writer.write(string: participant)
        writer.write(string: author)
        writer.write(varint: timestamp.rawValue)
        writer.write(sortedHashes: dependencies)
        writer.write(count: operations.count)
        for operation in operations {
            operation.encode(into: &writer, author: site)
        }
        return writer.bytes
    }

    /// Decodes a canonical change, refusing any other form.
    init(decoding bytes: [UInt8], base: Int) throws(FormatError) {
        var reader = ByteReader(bytes, base: base)
        let version = try reader.readByte("change version")
        guard (1...Self.encodingVersion).contains(version) else {
            throw FormatError(.unsupportedVersion, at: base, reading: "change version \(version)")
        }
        record = try reader.readID(RecordID.self, "change record id")
        site = try reader.readID(SiteID.self, "change site id")
        participant = try reader.readString("change participant", limit: Self.maximumNameBytes)
        author = try reader.readString("change author", limit: Self.maximumNameBytes)
        timestamp = HybridTimestamp(rawValue: try reader.readVarint("change timestamp"))
        dependencies = try reader.readSortedHashes("change dependencies")
        let count = try reader.readCount("operation count", minimumElementSize: 2)
        var operations: [ChangeOperation] = []
        operations.reserveCapacity(count)
        for index in 0..<count {
            operations.append(try ChangeOperation.decode(from: &reader, index: index, version: version, author: site))
        }
        self.operations = operations
        try reader.expectEnd("change")
        guard self.version == version else {
            throw FormatError(.notCanonical, at: base, reading: "change version \(version) (a change is written in the oldest version that holds its operations)")
        }
    }
}

extension ChangeOperation {
    /// Appends the operation: kind, then its length-prefixed payload.
    func encode(into writer: inout ByteWriter, author: SiteID) {
        var payload = ByteWriter(capacity: 48)
        let kind: UInt64
        switch self {
        case .create(let type, let owner):
            kind = Kind.create.rawValue
            payload.write(string: type)
            payload.write(string: owner)
        case .set(let field, let value, let pred):
            kind = Kind.set.rawValue
            payload.write(string: field)
            value.encode(into: &payload)
            payload.write(sortedHashes: pred)
        case .add(let field, let element):
            kind = Kind.add.rawValue
            payload.write(string: field)
            element.encode(into: &payload)
        case .remove(let field, let element, let observed):
            kind = Kind.remove.rawValue
            payload.write(string: field)
            element.encode(into: &payload)
            payload.write(sortedHashes: observed)
        case .setDeleted(let deleted, let pred):
            kind = Kind.setDeleted.rawValue
            payload.write(byte: deleted ? 1 : 0)
            payload.write(sortedHashes: pred)
        case .text(let field, let item, let edits):
            kind = Kind.text.rawValue
            payload.write(string: field)
            if let item {
                payload.write(byte: 1)
                payload.write(id: item.site)
                payload.write(varint: item.counter)
            } else {
                payload.write(byte: 0)
            }
            SequenceEditCoding.encode(edits, author: author, placeholders: false, into: &payload)
        case .list(let field, let edits):
            kind = Kind.list.rawValue
            payload.write(string: field)
            SequenceEditCoding.encode(edits, author: author, placeholders: true, into: &payload)
        case .certify(let certificate):
            kind = Kind.certify.rawValue
            payload.write(raw: certificate.encoded)
        case .revoke(let revocation):
            kind = Kind.revoke.rawValue
            payload.write(raw: revocation.encoded)
        case .unknown(let unknownKind, let bytes):
            writer.write(varint: unknownKind)
            writer.write(lengthPrefixed: bytes)
            return
        }
        writer.write(varint: kind)
        writer.write(lengthPrefixed: payload.bytes)
    }

    /// Decodes one operation; its payload must be consumed exactly.
    static func decode(from reader: inout ByteReader, index: Int, version: UInt8, author: SiteID) throws(FormatError) -> ChangeOperation {
        // Built only when an error is reported: decoding is a hot path.
        func context() -> String { "operation \(index)" }
        let kind = try reader.readVarint(context() + " kind")
        var inner = try reader.readNested(context())
        let limit = Change.maximumNameBytes
        let operation: ChangeOperation
        switch Kind(rawValue: kind) {
        case .create:
            operation = .create(
                type: try inner.readString(context() + " record type", limit: limit),
                owner: try inner.readString(context() + " owner", limit: limit))
        case .set:
            operation = .set(
                field: try inner.readString(context() + " field", limit: limit),
                value: try Value.decode(from: &inner, context() + " value"),
                pred: try inner.readSortedHashes(context() + " pred"))
        case .add:
            operation = .add(
                field: try inner.readString(context() + " field", limit: limit),
                element: try Value.decode(from: &inner, context() + " element"))
        case .remove:
            operation = .remove(
                field: try inner.readString(context() + " field", limit: limit),
                element: try Value.decode(from: &inner, context() + " element"),
                observed: try inner.readSortedHashes(context() + " observed additions"))
        case .setDeleted:
            let flag = try inner.readByte(context() + " deleted flag")
            guard flag <= 1 else { throw inner.failure(.invalidValue, context() + " deleted flag") }
            operation = .setDeleted(flag == 1, pred: try inner.readSortedHashes(context() + " pred"))
        case .text where version >= 2:
            let field = try inner.readString(context() + " field", limit: limit)
            let flag = try inner.readByte(context() + " item flag")
            guard flag <= 1 else { throw inner.failure(.invalidValue, context() + " item flag") }
            let item = flag == 1
                ? CharID(site: try inner.readID(SiteID.self, context() + " item"), counter: try inner.readVarint(context() + " item"))
                : nil
            operation = .text(field: field, item: item,
                              edits: try SequenceEditCoding.decode(from: &inner, author: author, placeholders: false, context()))
        case .list where version >= 2:
            operation = .list(field: try inner.readString(context() + " field", limit: limit),
                              edits: try SequenceEditCoding.decode(from: &inner, author: author, placeholders: true, context()))
        case .certify where version >= 3:
            operation = .certify(try Certificate(decoding: Array(try inner.readBytes(inner.remaining, context()))))
        case .revoke where version >= 3:
            operation = .revoke(try Revocation(decoding: Array(try inner.readBytes(inner.remaining, context()))))
        case nil, .text, .list, .certify, .revoke:
            guard kind != 0 else { throw reader.failure(.invalidValue, context() + " kind 0") }
            return .unknown(kind: kind, payload: Array(try inner.readBytes(inner.remaining, context())))
        }
        try inner.expectEnd(context())
        return operation
    }
}
