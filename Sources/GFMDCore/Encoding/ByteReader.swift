/// Reads gfmd's canonical binary encoding from untrusted bytes.
///
/// Every read is bounded by the bytes that remain: no length or count taken from
/// the input is trusted before it is checked against them, so a hostile input
/// cannot make the reader allocate more than the input's own size. Non-canonical
/// forms (over-long varints) are refused, so that one value has one encoding and
/// one hash.
public struct ByteReader: Sendable {
    private let bytes: ArraySlice<UInt8>
    private let base: Int
    /// Index in `bytes` of the next byte to read.
    private var position: Int

    /// Creates a reader over `bytes`; offsets in errors are reported relative
    /// to `base` plus the position in `bytes`.
    public init(_ bytes: [UInt8], base: Int = 0) {
        self.init(bytes[...], base: base)
    }

    /// Creates a reader over a slice, sharing its storage (no copy).
    public init(_ bytes: ArraySlice<UInt8>, base: Int = 0) {
        self.bytes = bytes
        self.base = base
        self.position = bytes.startIndex
    }

    /// Offset of the next byte to read, from the start of the input.
    public var offset: Int { position - bytes.startIndex }

    /// The number of bytes not yet read.
    public var remaining: Int { bytes.endIndex - position }

    /// Whether every byte has been read.
    public var isAtEnd: Bool { position == bytes.endIndex }

    private func error(_ code: FormatError.Code, _ context: String) -> FormatError {
        FormatError(code, at: base + offset, reading: context)
    }

    /// Reads one byte.
    public mutating func readByte(_ context: @autoclosure () -> String) throws(FormatError) -> UInt8 {
        guard position < bytes.endIndex else { throw error(.truncated, context()) }
        defer { position += 1 }
        return bytes[position]
    }

    /// Reads a shortest-form unsigned LEB128 varint.
    public mutating func readVarint(_ context: @autoclosure () -> String) throws(FormatError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        let start = position
        while true {
            guard position < bytes.endIndex else {
                position = start
                throw error(.truncated, context())
            }
            let byte = bytes[position]
            position += 1
            if shift == 63 && byte > 1 {
                position = start
                throw error(.varintOverflow, context())
            }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                if byte == 0 && shift > 0 {
                    position = start
                    throw error(.overlongVarint, context())
                }
                return result
            }
            shift += 7
        }
    }

    /// Reads a varint that must fit in an `Int` (a size, an offset, a number
    /// of changes), refusing a larger one as `too_large`.
    public mutating func readInt(_ context: @autoclosure () -> String) throws(FormatError) -> Int {
        let start = position
        let value = try readVarint(context())
        guard value <= UInt64(Int.max) else {
            position = start
            throw error(.tooLarge, context())
        }
        return Int(value)
    }

    /// Reads a count of elements that each take at least `minimumElementSize`
    /// bytes, refusing any count the remaining input could not hold, or
    /// above `limit` (a negative limit allows none).
    public mutating func readCount(
        _ context: @autoclosure () -> String, minimumElementSize: Int = 1, limit: Int = Int.max
    ) throws(FormatError) -> Int {
        let start = position
        let value = try readVarint(context())
        let fits = value <= UInt64(max(0, min(limit, remaining / max(minimumElementSize, 1))))
        guard fits else {
            position = start
            throw error(.tooLarge, context())
        }
        return Int(value)
    }

    /// Reads every byte left.
    public mutating func readRest() -> ArraySlice<UInt8> {
        defer { position = bytes.endIndex }
        return bytes[position...]
    }

    /// Reads exactly `count` bytes.
    public mutating func readBytes(_ count: Int, _ context: @autoclosure () -> String) throws(FormatError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw error(.truncated, context()) }
        defer { position += count }
        return bytes[position..<position + count]
    }

    /// Reads a length-prefixed byte string of at most `limit` bytes.
    public mutating func readLengthPrefixed(
        _ context: @autoclosure () -> String, limit: Int = Int.max
    ) throws(FormatError) -> ArraySlice<UInt8> {
        let start = position
        let length = try readVarint(context())
        guard length <= UInt64(remaining) else {
            position = start
            throw error(.truncated, context())
        }
        guard length <= UInt64(limit) else {
            position = start
            throw error(.tooLarge, context())
        }
        return try readBytes(Int(length), context())
    }

    /// Reads a length-prefixed UTF-8 string of at most `limit` bytes.
    public mutating func readString(
        _ context: @autoclosure () -> String, limit: Int = Int.max
    ) throws(FormatError) -> String {
        let start = position
        let slice = try readLengthPrefixed(context(), limit: limit)
        // Decoding repairs ill-formed UTF-8; the bytes come back unchanged
        // exactly when they were well-formed. ASCII (most names and values)
        // is always well-formed: only other bytes are compared.
        let decoded = slice.withUnsafeBufferPointer { bytes -> String? in
            var string = String(decoding: bytes, as: UTF8.self)
            var any: UInt8 = 0
            for byte in bytes { any |= byte }
            guard any >= 0x80 else { return string }
            let unchanged = string.withUTF8 { $0.count == bytes.count && $0.elementsEqual(bytes) }
            return unchanged ? string : nil
        }
        guard let string = decoded else {
            position = start
            throw error(.invalidUTF8, context())
        }
        return string
    }

    /// Reads a 64-bit big-endian integer.
    public mutating func readUInt64BigEndian(_ context: @autoclosure () -> String) throws(FormatError) -> UInt64 {
        let slice = try readBytes(8, context())
        return slice.reduce(0) { ($0 << 8) | UInt64($1) }
    }

    /// Reads a 32-bit big-endian integer.
    public mutating func readUInt32BigEndian(_ context: @autoclosure () -> String) throws(FormatError) -> UInt32 {
        let slice = try readBytes(4, context())
        return slice.reduce(0) { ($0 << 8) | UInt32($1) }
    }

    /// Reads a 16-bit big-endian integer.
    public mutating func readUInt16BigEndian(_ context: @autoclosure () -> String) throws(FormatError) -> UInt16 {
        let slice = try readBytes(2, context())
        return slice.reduce(0) { ($0 << 8) | UInt16($1) }
    }

    /// Reads a length-prefixed byte string as a reader of its own (no copy),
    /// whose error offsets stay relative to this reader's input.
    public mutating func readNested(_ context: @autoclosure () -> String) throws(FormatError) -> ByteReader {
        let slice = try readLengthPrefixed(context())
        return ByteReader(slice, base: base + (slice.startIndex - bytes.startIndex))
    }

    /// Throws unless every byte has been read.
    public func expectEnd(_ context: @autoclosure () -> String) throws(FormatError) {
        guard isAtEnd else { throw error(.trailingBytes, context()) }
    }

    /// Builds an error at the current offset, for checks made by callers.
    public func failure(_ code: FormatError.Code, _ context: String) -> FormatError {
        error(code, context)
    }
}
