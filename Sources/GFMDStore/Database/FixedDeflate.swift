import CZlib

/// A zlib stream (RFC 1950) of one deflate block with the fixed Huffman codes
/// (RFC 1951, 3.2.6), for the few hundred bytes of a change body.
///
/// zlib builds Huffman trees for every block it writes, and sets up and
/// clears its window and hash for every stream: on this machine that was
/// 50–100 µs per stored body, a fifth of a hub's merge. Fixed codes need no
/// trees, and a single-slot hash table of the input's size finds the
/// repetitions a change body has (field names, a site's tags, values that
/// repeat). Any inflater reads the result; gfmd reads it with zlib.
enum FixedDeflate {
    /// `input` deflated, or nil when the stream would not be shorter than
    /// `input` (then it is better stored as it is).
    static func deflate(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let count = input.count
        // A stream is worth keeping only when shorter than the input, and none is shorter than 9 bytes.
        guard count > 8 else { return nil }
        // The buffer has room for 8 bytes past the limit, so that no write
        // runs out of it before the writer notices it went past.
        let limit = count - 1
        return [UInt8](unsafeUninitializedCapacity: limit + 8) { output, written in
            var writer = BitWriter(output: output.baseAddress!, limit: limit)
            writer.byte(0x78)  // deflate, 32 KiB window
            writer.byte(0x01)  // no dictionary, fastest; (0x78 << 8 | 0x01) % 31 == 0
            writer.bits(0b011, count: 3)  // the final block, fixed codes
            let complete = compress(input, into: &writer)
            guard complete else { written = 0; return }
            writer.bits(0, count: 7)  // end of block (256)
            writer.flush()
            let checksum = UInt32(adler32(adler32(0, nil, 0), input.baseAddress, uInt(count)))
            for shift in [24, 16, 8, 0] { writer.byte(UInt8(truncatingIfNeeded: checksum >> UInt32(shift))) }
            written = writer.overflowed ? 0 : writer.position
        }.nilIfEmpty
    }

    /// Emits the literals and matches of `input`; false when the output ran past its limit.
    private static func compress(_ input: UnsafeBufferPointer<UInt8>, into writer: inout BitWriter) -> Bool {
        let count = input.count
        let base = input.baseAddress!
        var hashBits = 8
        while hashBits < 14, 1 << hashBits < count { hashBits += 1 }
        // Each slot holds a position + 1 (0 is empty) of the last 4 bytes that hashed there.
        var table = [Int32](repeating: 0, count: 1 << hashBits)
        /// The slot of 4 bytes read as `word` (Fibonacci hashing).
        func slot(_ word: UInt32) -> Int { Int((word &* 2_654_435_761) >> UInt32(32 - hashBits)) }
        return table.withUnsafeMutableBufferPointer { table in
            var position = 0
            while position + 4 <= count {
                let word = load32(base + position)
                let index = slot(word)
                let candidate = Int(table[index]) - 1
                table[index] = Int32(position + 1)
                if candidate >= 0, position - candidate <= 32768, load32(base + candidate) == word {
                    var length = 4
                    let longest = min(258, count - position)
                    while length < longest, base[candidate + length] == base[position + length] { length += 1 }
                    writer.match(length: length, distance: position - candidate)
                    // The match's last positions are remembered too, so that what follows it finds them.
                    let end = position + length
                    var next = max(position + 1, end - 3)
                    while next + 4 <= count, next < end {
                        table[slot(load32(base + next))] = Int32(next + 1)
                        next += 1
                    }
                    position = end
                } else {
                    writer.literal(base[position])
                    position += 1
                }
                if writer.overflowed { return false }
            }
            while position < count {
                writer.literal(base[position])
                position += 1
            }
            return !writer.overflowed
        }
    }

    private static func load32(_ pointer: UnsafePointer<UInt8>) -> UInt32 {
        UnsafeRawPointer(pointer).loadUnaligned(as: UInt32.self)
    }

    /// The fixed code of each literal byte, bit-reversed as deflate writes it: (bits, count).
    private static let literalCodes: [(UInt32, Int)] = (0..<256).map { literal in
        literal < 144 ? (reversed(0x30 + UInt32(literal), count: 8), 8) : (reversed(0x190 + UInt32(literal - 144), count: 9), 9)
    }

    /// Each match length 3...258 as its length symbol's code followed by its extra bits.
    private static let lengthCodes: [(UInt32, Int)] = {
        let bases = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
        let extras = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
        var codes = [(UInt32, Int)](repeating: (0, 0), count: 259)
        for (index, base) in bases.enumerated() {
            let symbol = 257 + index
            // Symbols 257–279 have 7-bit codes from 0, 280–287 8-bit codes from 0xC0.
            let (code, bits) = symbol < 280 ? (reversed(UInt32(symbol - 256), count: 7), 7) : (reversed(0xC0 + UInt32(symbol - 280), count: 8), 8)
            let last = index + 1 < bases.count ? bases[index + 1] - 1 : base
            for length in base...last { codes[length] = (code | UInt32(length - base) << UInt32(bits), bits + extras[index]) }
        }
        return codes
    }()

    /// The 5-bit code of each distance symbol 0–29, bit-reversed.
    private static let distanceCodes: [UInt32] = (0..<30).map { reversed(UInt32($0), count: 5) }

    static func reversed(_ code: UInt32, count: Int) -> UInt32 {
        var result: UInt32 = 0
        for bit in 0..<count where code & (1 << UInt32(bit)) != 0 { result |= 1 << UInt32(count - 1 - bit) }
        return result
    }

    /// Deflate's bit order: codes least significant bit first, into bytes.
    private struct BitWriter {
        let output: UnsafeMutablePointer<UInt8>
        /// Bytes past this count mean the stream is no shorter than its input.
        let limit: Int
        var position = 0
        var pending: UInt64 = 0
        var pendingCount = 0
        // The code tables, read once per stream rather than through their
        // lazily initialised globals at every symbol.
        private let literalCodes = FixedDeflate.literalCodes
        private let lengthCodes = FixedDeflate.lengthCodes
        private let distanceCodes = FixedDeflate.distanceCodes

        var overflowed: Bool { position > limit }

        init(output: UnsafeMutablePointer<UInt8>, limit: Int) {
            self.output = output
            self.limit = limit
        }

        @inline(__always)
        mutating func byte(_ value: UInt8) {
            if position < limit + 8 { output[position] = value }
            position += 1
        }

        /// Appends `count` (at most 32) bits of `value`; whole bytes leave
        /// four at a time (a code is at most 18 bits, so fewer than 64 wait).
        @inline(__always)
        mutating func bits(_ value: UInt32, count: Int) {
            pending |= UInt64(value) << UInt64(pendingCount)
            pendingCount += count
            guard pendingCount >= 32 else { return }
            if position + 4 <= limit + 8 {
                UnsafeMutableRawPointer(output + position).storeBytes(of: UInt32(truncatingIfNeeded: pending).littleEndian, as: UInt32.self)
            }
            position += 4
            pending >>= 32
            pendingCount -= 32
        }

        @inline(__always)
        mutating func literal(_ value: UInt8) {
            let (code, count) = literalCodes[Int(value)]
            bits(code, count: count)
        }

        mutating func match(length: Int, distance: Int) {
            let (code, count) = lengthCodes[length]
            bits(code, count: count)
            // Distance symbols 0–29: 5-bit codes, then their extra bits.
            let offset = distance - 1
            if offset < 4 {
                bits(distanceCodes[offset], count: 5)
            } else {
                let high = Int.bitWidth - 1 - offset.leadingZeroBitCount
                let symbol = 2 * high + ((offset >> (high - 1)) & 1)
                bits(distanceCodes[symbol], count: 5)
                bits(UInt32(offset & ((1 << (high - 1)) - 1)), count: high - 1)
            }
        }

        /// Writes the bits still waiting, the last byte padded with zeros.
        mutating func flush() {
            while pendingCount > 0 {
                byte(UInt8(truncatingIfNeeded: pending))
                pending >>= 8
                pendingCount -= 8
            }
            pending = 0
            pendingCount = 0
        }
    }
}

private extension Array {
    var nilIfEmpty: Self? { isEmpty ? nil : self }
}
