/// Appends values in gfmd's canonical binary encoding (see `Protocol/encoding.md`).
///
/// Every multi-byte integer is an unsigned LEB128 varint in its shortest form;
/// byte strings and UTF-8 strings are prefixed by their length as a varint. The
/// writer never fails: the encoding of a value is a pure function of the value.
public struct ByteWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    /// Creates an empty writer, optionally reserving space for `capacity` bytes.
    public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Appends one byte.
    public mutating func write(byte: UInt8) {
        bytes.append(byte)
    }

    /// Appends `value` as a shortest-form unsigned LEB128 varint.
    public mutating func write(varint value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// Appends a non-negative count or length as a varint.
    public mutating func write(count: Int) {
        precondition(count >= 0, "counts are never negative")
        write(varint: UInt64(count))
    }

    /// How many bytes ``write(count:)`` writes for `count`.
    public static func varintSize(_ count: Int) -> Int {
        precondition(count >= 0, "counts are never negative")
        return max(1, (Int.bitWidth - count.leadingZeroBitCount + 6) / 7)
    }

    /// Appends `value` as 8 big-endian bytes.
    public mutating func write(uint64BigEndian value: UInt64) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends `value` as 4 big-endian bytes.
    public mutating func write(uint32BigEndian value: UInt32) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends `value` as 2 big-endian bytes.
    public mutating func write(uint16BigEndian value: UInt16) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends raw bytes with no length prefix.
    public mutating func write<S: Sequence>(raw: S) where S.Element == UInt8 {
        bytes.append(contentsOf: raw)
    }

    /// Appends a length-prefixed byte string.
    public mutating func write<C: Collection>(lengthPrefixed data: C) where C.Element == UInt8 {
        write(count: data.count)
        bytes.append(contentsOf: data)
    }

    /// Appends Unicode scalars as a length-prefixed UTF-8 string: the same
    /// bytes as ``write(string:)`` of their string, without building it.
    public mutating func write(scalars: some Collection<Unicode.Scalar>) {
        var length = 0
        for scalar in scalars { length += scalar.utf8.count }
        write(count: length)
        bytes.reserveCapacity(bytes.count + length)
        for scalar in scalars {
            if scalar.isASCII {
                bytes.append(UInt8(truncatingIfNeeded: scalar.value))
            } else {
                bytes.append(contentsOf: scalar.utf8)
            }
        }
    }

    /// Appends a length-prefixed UTF-8 string.
    public mutating func write(string: String) {
        var s = string
        s.withUTF8 { utf8 in
            write(count: utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }
}
