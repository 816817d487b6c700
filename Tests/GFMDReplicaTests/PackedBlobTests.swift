import Foundation
import GFMDTestSupport
@testable import GFMDStore
import Testing

/// Stored bodies and checkpoints, packed by gfmd's own deflate writer and read back by zlib.
@Suite("Packed blobs")
struct PackedBlobTests {
    /// Small sizes, sizes around the hash table's and the window's, and one large.
    static let sizes: [Int] = {
        let edges: [Int] = (9...16).flatMap { (bits: Int) -> [Int] in
            let window = 1 << bits
            return [window - 263, window - 262, window - 261]
        }
        return [0, 1, 100] + edges + [1 << 20]
    }()

    @Test("every size reads back, repetitive or random, and a repetitive input is stored smaller")
    func roundTrip() throws {
        var generator = SystemRandomNumberGenerator()
        for size in Self.sizes {
            let repetitive = (0..<size).map { UInt8(truncatingIfNeeded: $0 % 13) }
            let random = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
            for bytes in [repetitive, random] {
                let packed = PackedBlob.pack(bytes)
                #expect(packed.count <= bytes.count, "size \(size)")
                #expect(try PackedBlob.unpack(packed, size: bytes.count) == bytes, "size \(size)")
            }
            // A match far back (the input repeated once) is found within the window chosen.
            if size >= 200, 2 * size <= 1 << 15 { #expect(PackedBlob.pack(random + random).count < size + size / 2, "size \(size)" as Comment) }
            if size >= 100 { #expect(PackedBlob.pack(repetitive).count < size / 2, "size \(size)" as Comment) }
        }
    }

    @Test("inputs made of copies at every distance and length deflate can say, with literals between, read back")
    func copies() throws {
        var generator = SeededGenerator(seed: 21)
        var deflated = 0
        for round in 0..<300 {
            var bytes: [UInt8] = []
            let target = Int.random(in: 0...(round % 10 == 0 ? 80_000 : 4_000), using: &generator)
            while bytes.count < target {
                if bytes.count > 3, Bool.random(using: &generator) {
                    // A copy from up to 40,000 bytes back (beyond deflate's 32,768), overlapping itself when near.
                    let distance = Int.random(in: 1...min(bytes.count, 40_000), using: &generator)
                    let length = Int.random(in: 1...300, using: &generator)
                    for _ in 0..<length { bytes.append(bytes[bytes.count - distance]) }
                } else {
                    for _ in 0..<Int.random(in: 1...20, using: &generator) { bytes.append(UInt8.random(in: 0...255, using: &generator)) }
                }
            }
            let packed = PackedBlob.pack(bytes)
            #expect(packed.count <= bytes.count)
            if packed.count < bytes.count { deflated += 1 }
            #expect(try PackedBlob.unpack(packed, size: bytes.count) == bytes, "round \(round), \(bytes.count) bytes" as Comment)
        }
        #expect(deflated >= 280, "nearly every input is stored deflated, not as it is")
    }

    @Test("a run of one byte, the longest matches and the farthest distance read back")
    func extremes() throws {
        let run = [UInt8](repeating: 7, count: 100_000)
        #expect(PackedBlob.pack(run).count < 1_000)
        #expect(try PackedBlob.unpack(PackedBlob.pack(run), size: run.count) == run)
        var generator = SeededGenerator(seed: 5)
        let block = (0..<32_768).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for far in [block + block, block + [1] + block, Array(block.prefix(32_767)) + block] {
            #expect(try PackedBlob.unpack(PackedBlob.pack(far), size: far.count) == far)
        }
        #expect(PackedBlob.pack(block + block).count < block.count + block.count / 4, "a copy from exactly 32,768 bytes back is found")
    }
}
