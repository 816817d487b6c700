public import Crypto

/// A 32-byte SHA-256 value: the id of a change, or a node of a commit's Merkle tree.
///
/// Stored as four big-endian words so that hashing and comparison are cheap;
/// ordering is the byte-wise (memcmp) order of the 32 bytes.
public struct Hash256: Hashable, Comparable, Sendable, CustomStringConvertible {
    @usableFromInline let w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    /// The number of bytes in a hash.
    public static let byteCount = 32

    /// Reinterprets exactly 32 bytes as a hash.
    public init<C: Collection>(bytes: C) where C.Element == UInt8 {
        precondition(bytes.count == 32, "a Hash256 is 32 bytes")
        if let hash = bytes.withContiguousStorageIfAvailable({ Hash256(UnsafeRawBufferPointer($0)) }) {
            self = hash
        } else {
            self = Array(bytes).withUnsafeBytes { Hash256($0) }
        }
    }

    /// Reads the first 32 bytes of `buffer`.
    public init(_ buffer: UnsafeRawBufferPointer) {
        precondition(buffer.count >= 32, "a Hash256 is 32 bytes")
        w0 = UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        w1 = UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        w2 = UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        w3 = UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
    }

    /// The SHA-256 of `bytes`.
    public static func of(_ bytes: [UInt8]) -> Hash256 {
        bytes.withUnsafeBytes { of($0) }
    }

    /// The SHA-256 of `bytes`.
    public static func of(_ bytes: ArraySlice<UInt8>) -> Hash256 {
        bytes.withUnsafeBytes { of($0) }
    }

    /// The SHA-256 of the bytes in `buffer`.
    public static func of(_ buffer: UnsafeRawBufferPointer) -> Hash256 {
        var hasher = SHA256()
        hasher.update(bufferPointer: buffer)
        return Hash256(digest: hasher.finalize())
    }

    /// Wraps a finished SHA-256 digest.
    public init(digest: SHA256.Digest) {
        self = digest.withUnsafeBytes { Hash256($0) }
    }

    /// Calls `body` with the 32 bytes, most significant first, without allocating.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let words = (w0.bigEndian, w1.bigEndian, w2.bigEndian, w3.bigEndian)
        return try Swift.withUnsafeBytes(of: words) { try body($0) }
    }

    /// The 32 bytes, most significant first.
    public var bytes: [UInt8] {
        withUnsafeBytes { Array($0) }
    }

    /// The full lowercase hexadecimal spelling (64 digits).
    public var hex: String { Hex.encode(bytes) }

    /// The first 12 hexadecimal digits, enough to name a change in a listing.
    public var short: String { String(hex.prefix(12)) }

    public var description: String { short }

    public static func < (lhs: Hash256, rhs: Hash256) -> Bool {
        (lhs.w0, lhs.w1, lhs.w2, lhs.w3) < (rhs.w0, rhs.w1, rhs.w2, rhs.w3)
    }
}

/// The id of a change: the SHA-256 of its canonical encoding.
public typealias ChangeHash = Hash256

extension ByteWriter {
    /// Appends the 32 bytes of a hash.
    public mutating func write(hash: Hash256) {
        hash.withUnsafeBytes { write(raw: $0) }
    }
}

extension ByteReader {
    /// Reads 32 bytes as a hash.
    public mutating func readHash(_ context: @autoclosure () -> String) throws(FormatError) -> Hash256 {
        Hash256(bytes: try readBytes(32, context()))
    }

    /// Reads a count-prefixed list of hashes that must be in strictly ascending
    /// order (so that a set of hashes has one encoding).
    public mutating func readSortedHashes(
        _ context: @autoclosure () -> String, limit: Int = Int.max
    ) throws(FormatError) -> [Hash256] {
        let count = try readCount(context(), minimumElementSize: 32, limit: limit)
        var hashes = [Hash256]()
        hashes.reserveCapacity(count)
        for _ in 0..<count {
            let hash = try readHash(context())
            if let last = hashes.last, !(last < hash) {
                throw failure(.notCanonical, context() + " (hashes must be sorted and distinct)")
            }
            hashes.append(hash)
        }
        return hashes
    }
}

extension ByteWriter {
    /// Appends a count-prefixed list of hashes; `hashes` must already be sorted and distinct.
    public mutating func write(sortedHashes hashes: [Hash256]) {
        assert(zip(hashes, hashes.dropFirst()).allSatisfy { $0 < $1 }, "hashes must be sorted and distinct")
        write(count: hashes.count)
        for hash in hashes { write(hash: hash) }
    }
}
