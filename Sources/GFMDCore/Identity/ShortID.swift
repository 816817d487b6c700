/// A 16-byte identifier (a site or a record), compared byte-wise.
///
/// Both kinds of id are spelled in lowercase hexadecimal; users may type any
/// unambiguous prefix of at least ``minimumPrefixLength`` digits.
public protocol ShortID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The two big-endian words holding the 16 bytes.
    var words: (UInt64, UInt64) { get }
    /// Builds the id from two big-endian words.
    init(words: (UInt64, UInt64))
}

extension ShortID {
    /// The number of bytes in the id.
    public static var byteCount: Int { 16 }

    /// The shortest prefix a user may type to name an id.
    public static var minimumPrefixLength: Int { 4 }

    /// Reinterprets exactly 16 bytes as an id.
    public init<C: Collection>(bytes: C) where C.Element == UInt8 {
        precondition(bytes.count == 16, "an id is 16 bytes")
        var high: UInt64 = 0, low: UInt64 = 0
        for (index, byte) in bytes.enumerated() {
            if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
        }
        self.init(words: (high, low))
    }

    /// Parses a full 32-digit hexadecimal id.
    public init?(hex: String) {
        guard hex.utf8.count == 32, let bytes = Hex.decode(hex) else { return nil }
        self.init(bytes: bytes)
    }

    /// The 16 bytes, most significant first.
    public var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(16)
        withUnsafeBytes(of: words.0.bigEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: words.1.bigEndian) { out.append(contentsOf: $0) }
        return out
    }

    /// The full lowercase hexadecimal spelling (32 digits).
    public var hex: String { Hex.encode(bytes) }

    /// The first 8 hexadecimal digits, as shown in listings.
    public var short: String { String(hex.prefix(8)) }

    public var description: String { short }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.words < rhs.words }
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.words == rhs.words }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
    }

    /// The inclusive byte range of ids whose hexadecimal spelling starts with
    /// `prefix`, or nil when `prefix` is not hexadecimal or is too long.
    public static func range(ofPrefix prefix: String) -> ClosedRange<Self>? {
        let digits = Array(prefix.utf8)
        guard !digits.isEmpty, digits.count <= 32 else { return nil }
        var low = [UInt8](repeating: 0x00, count: 16)
        var high = [UInt8](repeating: 0xFF, count: 16)
        for (index, character) in digits.enumerated() {
            guard let nibble = Hex.nibble(character) else { return nil }
            let shift: UInt8 = index % 2 == 0 ? 4 : 0
            let mask: UInt8 = index % 2 == 0 ? 0xF0 : 0x0F
            low[index / 2] = (low[index / 2] & ~mask) | (nibble << shift)
            high[index / 2] = (high[index / 2] & ~mask) | (nibble << shift)
        }
        return Self(bytes: low)...Self(bytes: high)
    }
}

/// The identity of one replica: the first 16 bytes of the SHA-256 of its
/// Ed25519 public key, so that a site id cannot be claimed with another key.
public struct SiteID: ShortID {
    public let words: (UInt64, UInt64)
    public init(words: (UInt64, UInt64)) { self.words = words }
}

/// The identity of one record: 16 random bytes chosen by the site that created it.
public struct RecordID: ShortID {
    public let words: (UInt64, UInt64)
    public init(words: (UInt64, UInt64)) { self.words = words }

    /// A fresh random id drawn from `generator`.
    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> RecordID {
        RecordID(words: (generator.next(), generator.next()))
    }
}

extension ByteWriter {
    /// Appends the 16 bytes of an id.
    public mutating func write<ID: ShortID>(id: ID) {
        withUnsafeBytes(of: (id.words.0.bigEndian, id.words.1.bigEndian)) { write(raw: $0) }
    }
}

extension ByteReader {
    /// Reads 16 bytes as an id.
    public mutating func readID<ID: ShortID>(_ type: ID.Type, _ context: @autoclosure () -> String) throws(FormatError) -> ID {
        ID(bytes: try readBytes(16, context()))
    }
}
