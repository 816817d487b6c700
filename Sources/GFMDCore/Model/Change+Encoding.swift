extension Change {
    /// The change encoding version this build writes and reads.
    public static let encodingVersion: UInt8 = 1

    /// Longest participant code, author name, record type or field name accepted.
    static let maximumNameBytes = 256

    /// The canonical encoding (`Protocol/changes.md`).
    public func canonicalEncoding() -> [UInt8] {
        var writer = ByteWriter(capacity: 128 + operations.count * 48)
        writer.write(byte: Self.encodingVersion)
        writer.write(id: record)
        writer.write(id: site)
        writer.write(string: participant)
        writer.write(string: author)
        writer.write(varint: timestamp.rawValue)
        writer.write(sortedHashes: dependencies)
        writer.write(count: operations.count)
        for operation in operations {
            operation.encode(into: &writer)
        }
        return writer.bytes
    }

    /// Decodes a canonical change, refusing any other form.
    init(decoding bytes: [UInt8], base: Int) throws(FormatError) {
        var reader = ByteReader(bytes, base: base)
        let version = try reader.readByte("change version")
        guard version == Self.encodingVersion else {
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
            operations.append(try ChangeOperation.decode(from: &reader, index: index))
        }
        self.operations = operations
        try reader.expectEnd("change")
    }
}

extension ChangeOperation {
    /// Appends the operation: kind, then its length-prefixed payload.
    func encode(into writer: inout ByteWriter) {
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
        case .unknown(let unknownKind, let bytes):
            writer.write(varint: unknownKind)
            writer.write(lengthPrefixed: bytes)
            return
        }
        writer.write(varint: kind)
        writer.write(lengthPrefixed: payload.bytes)
    }

    /// Decodes one operation; its payload must be consumed exactly.
    static func decode(from reader: inout ByteReader, index: Int) throws(FormatError) -> ChangeOperation {
        let context = "operation \(index)"
        let kind = try reader.readVarint(context + " kind")
        var inner = try reader.readNested(context)
        let limit = Change.maximumNameBytes
        let operation: ChangeOperation
        switch Kind(rawValue: kind) {
        case .create:
            operation = .create(
                type: try inner.readString(context + " record type", limit: limit),
                owner: try inner.readString(context + " owner", limit: limit))
        case .set:
            operation = .set(
                field: try inner.readString(context + " field", limit: limit),
                value: try Value.decode(from: &inner, context + " value"),
                pred: try inner.readSortedHashes(context + " pred"))
        case .add:
            operation = .add(
                field: try inner.readString(context + " field", limit: limit),
                element: try Value.decode(from: &inner, context + " element"))
        case .remove:
            operation = .remove(
                field: try inner.readString(context + " field", limit: limit),
                element: try Value.decode(from: &inner, context + " element"),
                observed: try inner.readSortedHashes(context + " observed additions"))
        case .setDeleted:
            let flag = try inner.readByte(context + " deleted flag")
            guard flag <= 1 else { throw inner.failure(.invalidValue, context + " deleted flag") }
            operation = .setDeleted(flag == 1, pred: try inner.readSortedHashes(context + " pred"))
        case nil:
            guard kind != 0 else { throw reader.failure(.invalidValue, context + " kind 0") }
            return .unknown(kind: kind, payload: Array(try inner.readBytes(inner.remaining, context)))
        }
        try inner.expectEnd(context)
        return operation
    }
}
