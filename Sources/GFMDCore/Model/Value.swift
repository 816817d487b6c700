/// A value held by a field: a string, a list of strings, or a value of a kind
/// introduced by a newer version, kept byte for byte so it can be forwarded.
public enum Value: Hashable, Sendable, Comparable {
    /// A string (single values, set elements, texts held as registers).
    case string(String)
    /// An ordered list of strings (list fields held as registers).
    case list([String])
    /// A value of a kind this version does not know: its kind number and payload.
    case unknown(kind: UInt64, payload: [UInt8])

    /// Kind numbers of the encoding (`Protocol/changes.md`, "Values").
    enum Kind: UInt64 {
        case string = 1
        case list = 2
    }

    /// The string, when this value is one.
    public var stringValue: String? {
        if case .string(let s) = self { s } else { nil }
    }

    /// A one-line rendering for listings.
    public var displayText: String {
        switch self {
        case .string(let s): s
        case .list(let items): items.map { "• " + $0 }.joined(separator: "\n")
        case .unknown(let kind, let payload): "<value of unknown kind \(kind), \(payload.count) bytes>"
        }
    }

    /// The canonical encoding: kind, then the length-prefixed payload.
    public func encode(into writer: inout ByteWriter) {
        switch self {
        case .string(let s):
            writer.write(varint: Kind.string.rawValue)
            writer.write(string: s)
        case .list(let items):
            var payload = ByteWriter()
            payload.write(count: items.count)
            for item in items { payload.write(string: item) }
            writer.write(varint: Kind.list.rawValue)
            writer.write(lengthPrefixed: payload.bytes)
        case .unknown(let kind, let payload):
            writer.write(varint: kind)
            writer.write(lengthPrefixed: payload)
        }
    }

    /// The canonical encoding as bytes (also the order of set elements).
    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: 16)
        encode(into: &writer)
        return writer.bytes
    }

    /// Decodes a value written by ``encode(into:)``.
    public static func decode(from reader: inout ByteReader, _ context: @autoclosure () -> String) throws(FormatError) -> Value {
        let kind = try reader.readVarint(context())
        switch Kind(rawValue: kind) {
        case .string:
            return .string(try reader.readString(context()))
        case .list:
            var inner = try reader.readNested(context())
            let count = try inner.readCount(context() + " list", minimumElementSize: 1)
            var items: [String] = []
            items.reserveCapacity(count)
            for _ in 0..<count { items.append(try inner.readString(context() + " list item")) }
            try inner.expectEnd(context() + " list")
            return .list(items)
        case nil:
            guard kind != 0 else { throw reader.failure(.invalidValue, context() + " (value kind 0)") }
            return .unknown(kind: kind, payload: Array(try reader.readLengthPrefixed(context())))
        }
    }

    /// Orders values by their canonical encoding, the order every replica uses.
    public static func < (lhs: Value, rhs: Value) -> Bool {
        // Two strings, without encoding them: their encodings share the kind
        // byte, then differ first in the length varints, else in the text.
        if case .string(let left) = lhs, case .string(let right) = rhs {
            let leftCount = left.utf8.count, rightCount = right.utf8.count
            if leftCount == rightCount { return left.utf8.lexicographicallyPrecedes(right.utf8) }
            return varintOrderKey(leftCount) < varintOrderKey(rightCount)
        }
        return lhs.encoded.lexicographicallyPrecedes(rhs.encoded)
    }

    /// The varint bytes of `count`, left-aligned in a big-endian word, so that
    /// words compare as the byte strings do (varints are prefix-free). Counts
    /// of memory-sized strings take at most 8 varint bytes.
    private static func varintOrderKey(_ count: Int) -> UInt64 {
        var key: UInt64 = 0
        var remaining = UInt64(count)
        var shift: UInt64 = 56
        repeat {
            var byte = remaining & 0x7F
            remaining >>= 7
            if remaining != 0 { byte |= 0x80 }
            key |= byte << shift
            shift &-= 8
        } while remaining != 0
        return key
    }
}
