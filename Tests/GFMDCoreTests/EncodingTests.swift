import GFMDCore
import GFMDTestSupport
import Testing

@Suite("Canonical encoding primitives")
struct EncodingTests {
    @Test("varints round-trip at every length", arguments: [0, 1, 127, 128, 300, 16_383, 16_384, UInt64(UInt32.max), UInt64.max])
    func varintRoundTrip(value: UInt64) throws {
        var writer = ByteWriter()
        writer.write(varint: value)
        var reader = ByteReader(writer.bytes)
        #expect(try reader.readVarint("value") == value)
        #expect(reader.isAtEnd)
    }

    @Test("a count's varint size is the bytes write(count:) writes", arguments: [0, 1, 127, 128, 300, 16_383, 16_384, 2_097_152, Int(UInt32.max), Int.max])
    func varintSize(count: Int) {
        var writer = ByteWriter()
        writer.write(count: count)
        #expect(ByteWriter.varintSize(count) == writer.bytes.count)
    }

    @Test("scalars are written as the same bytes as their string", arguments: ["", "plain", "é, 中文, مرحبا, 👍🏽", "e\u{301}\r\n"])
    func scalarsAsString(text: String) throws {
        var fromString = ByteWriter(), fromScalars = ByteWriter()
        fromString.write(string: text)
        fromScalars.write(scalars: Array(text.unicodeScalars))
        #expect(fromScalars.bytes == fromString.bytes)
        var reader = ByteReader(fromScalars.bytes)
        #expect(try reader.readString("text") == text)
    }

    @Test("values order as their canonical encodings do, short and long strings alike", arguments: 0..<4)
    func valueOrder(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let alphabet = Array("ab é中👍".unicodeScalars)
        let values: [Value] = (0..<60).map { _ in
            let length = [0, 1, 2, 40, 126, 127, 128, 200, 255, 256, 1_000, 20_000].randomElement(using: &random)!
            var text = String.UnicodeScalarView()
            for _ in 0..<length { text.append(alphabet.randomElement(using: &random)!) }
            return Bool.random(using: &random) ? .string(String(text)) : .list([String(text)])
        }
        for left in values {
            for right in values {
                #expect((left < right) == left.encoded.lexicographicallyPrecedes(right.encoded))
            }
        }
    }

    @Test("over-long varints are refused, so one value has one encoding")
    func overlongVarint() {
        var reader = ByteReader([0x80, 0x00])
        #expect(throws: FormatError.self) { try reader.readVarint("value") }
        var zeroPadded = ByteReader([0x81, 0x80, 0x00])
        #expect { try zeroPadded.readVarint("value") } throws: { ($0 as? FormatError)?.code == .overlongVarint }
    }

    @Test("varints beyond 64 bits are refused")
    func overflowingVarint() {
        var reader = ByteReader([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02])
        #expect { try reader.readVarint("value") } throws: { ($0 as? FormatError)?.code == .varintOverflow }
    }

    @Test("a count larger than the remaining input is refused before any allocation")
    func hugeCount() {
        var writer = ByteWriter()
        writer.write(varint: 1 << 40)
        writer.write(raw: [1, 2, 3])
        var reader = ByteReader(writer.bytes)
        #expect { try reader.readCount("elements", minimumElementSize: 1) } throws: { ($0 as? FormatError)?.code == .tooLarge }
    }

    @Test("strings must be valid UTF-8", arguments: [
        [0xC3, 0x28], [0x80], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
        // Truncated: repaired as one U+FFFD, which also takes three bytes.
        [0xF0, 0x9F, 0x98], [0x61, 0xE2, 0x82],
    ] as [[UInt8]])
    func invalidUTF8(bytes: [UInt8]) {
        var reader = ByteReader([UInt8(bytes.count)] + bytes)
        #expect { try reader.readString("name") } throws: { ($0 as? FormatError)?.code == .invalidUTF8 }
        #expect(reader.remaining == bytes.count + 1, "the reader stays where the string starts")
    }

    @Test("well-formed UTF-8, including U+FFFD itself, reads back", arguments: ["", "a", "\u{FFFD}", "é中👍🏽", "\u{10FFFF}"])
    func validUTF8(text: String) throws {
        var reader = ByteReader([UInt8(text.utf8.count)] + Array(text.utf8))
        #expect(try reader.readString("name") == text)
    }

    @Test("errors name what was read and where")
    func errorContext() {
        var reader = ByteReader([5, 1, 2], base: 100)
        do {
            _ = try reader.readString("author")
            Issue.record("a truncated string must not decode")
        } catch {
            #expect(error.offset == 100)
            #expect("\(error)".contains("author"))
        }
    }

    @Test("hash lists must be sorted and distinct")
    func unsortedHashes() {
        let a = Hash256.of([1]), b = Hash256.of([2])
        var writer = ByteWriter()
        writer.write(count: 2)
        for hash in [max(a, b), min(a, b)] { writer.write(hash: hash) }
        var reader = ByteReader(writer.bytes)
        #expect { try reader.readSortedHashes("deps") } throws: { ($0 as? FormatError)?.code == .notCanonical }
    }

    @Test("id prefixes map to byte ranges")
    func prefixRanges() throws {
        let id = RecordID(hex: "a3f0000000000000000000000000000b")!
        let range = try #require(RecordID.range(ofPrefix: "a3f"))
        #expect(range.contains(id))
        #expect(!range.contains(RecordID(hex: "a4000000000000000000000000000000")!))
        #expect(RecordID.range(ofPrefix: "xyz") == nil)
        #expect(id.short == "a3f00000")
    }
}
