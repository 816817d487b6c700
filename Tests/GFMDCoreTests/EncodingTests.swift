import GFMDCore
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

    @Test("scalars are written as the same bytes as their string", arguments: ["", "plain", "é, 中文, مرحبا, 👍🏽", "e\u{301}\r\n"])
    func scalarsAsString(text: String) throws {
        var fromString = ByteWriter(), fromScalars = ByteWriter()
        fromString.write(string: text)
        fromScalars.write(scalars: Array(text.unicodeScalars))
        #expect(fromScalars.bytes == fromString.bytes)
        var reader = ByteReader(fromScalars.bytes)
        #expect(try reader.readString("text") == text)
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

    @Test("strings must be valid UTF-8")
    func invalidUTF8() {
        var reader = ByteReader([2, 0xC3, 0x28])
        #expect { try reader.readString("name") } throws: { ($0 as? FormatError)?.code == .invalidUTF8 }
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
