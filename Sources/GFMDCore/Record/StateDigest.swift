import Crypto

/// Computes `gfmd digest`: one SHA-256 over the merged state of every record.
///
/// Records are fed in ascending id order, each as its canonical encoding
/// (`Protocol/state.md`, "Digest"), so replicas holding the same changes
/// compute the same digest.
public struct StateDigest {
    private var hasher = SHA256()
    /// How many records have been fed.
    public private(set) var recordCount = 0

    /// Starts an empty digest.
    public init() {
        hasher.update(data: Array("gfmd state digest v1\n".utf8))
    }

    /// Feeds one record's ``RecordState/encodedState``; call in ascending id order.
    public mutating func add(record id: RecordID, encodedState: some Collection<UInt8>) {
        hasher.update(data: id.bytes)
        hasher.update(data: Array(encodedState))
        recordCount += 1
    }

    /// Feeds a whole record state.
    public mutating func add(_ state: RecordState) {
        add(record: state.id, encodedState: state.encodedState)
    }

    /// The digest of everything fed, as 64 hexadecimal digits.
    public func finalize() -> String {
        Hash256(digest: hasher.finalize()).hex
    }
}
