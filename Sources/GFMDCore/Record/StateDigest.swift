import Crypto

/// Computes `gfmd digest`: one SHA-256 over the merged state of every record.
///
/// Records are fed in ascending id order, each with its header and its field
/// states in ascending ``FieldKey`` order (`Protocol/state.md`, "Digest"), so
/// replicas holding the same changes compute the same digest.
public struct StateDigest {
    private var hasher = SHA256()
    /// How many records have been fed.
    public private(set) var recordCount = 0

    /// Starts an empty digest.
    public init() {
        hasher.update(data: Array("gfmd state digest v1\n".utf8))
    }

    /// Feeds one record; call in ascending id order.
    public mutating func add(record id: RecordID, header: [UInt8], fields: [(key: FieldKey, state: [UInt8])]) {
        var writer = ByteWriter(capacity: 64 + header.count)
        writer.write(id: id)
        writer.write(lengthPrefixed: header)
        writer.write(count: fields.count)
        for (key, state) in fields {
            writer.write(string: key.name)
            writer.write(string: key.kind.rawValue)
            writer.write(lengthPrefixed: state)
        }
        hasher.update(data: writer.bytes)
        recordCount += 1
    }

    /// Feeds a whole record state.
    public mutating func add(_ state: RecordState) {
        add(record: state.id, header: state.header.encoded,
            fields: state.fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value.encoded) })
    }

    /// The digest of everything fed, as 64 hexadecimal digits.
    public func finalize() -> String {
        Hash256(digest: hasher.finalize()).hex
    }
}
