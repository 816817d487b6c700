import Foundation
import GFMDCore
@testable import GFMDBundle
import GFMDTestSupport
import Testing

@Suite("Bundle files")
struct BundleTests {
    static let created = HybridTimestamp(milliseconds: 1_795_000_000_000, counter: 0)

    /// A bundle of `count` changes in two commits by one site.
    static func sample(count: Int = 6) -> (site: TestSite, changes: [EncodedChange], file: [UInt8]) {
        var site = TestSite(seed: 4, participant: "PHL", author: "Maria Santos")
        let changes = (0..<count).map { site.create(testRecordID(UInt64($0)), title: "Practice \($0)") }
        let half = count / 2
        let commits = [Array(changes[..<half]), Array(changes[half...])].map {
            BundleCommit(VerifiedCommit.signing($0, with: site.key))
        }
        return (site, changes, Bundle.encode(commits, sender: site.key, participant: "PHL", created: created))
    }

    @Test("a bundle reads back with its header, and every commit verifies")
    func roundTrip() throws {
        let (site, changes, file) = Self.sample()
        let bundle = try Bundle(reading: file)
        #expect(bundle.header.sender == site.key.publicKey)
        #expect(bundle.header.senderParticipant == "PHL")
        #expect(bundle.header.created == Self.created)
        #expect(bundle.changeCount == changes.count)
        let verified = try bundle.verifiedCommits()
        #expect(verified.flatMap { $0.leaves.map(\.change.hash) } == changes.map(\.hash))
    }

    @Test("part of a commit travels with its proof and still verifies")
    func partialCommit() throws {
        let (site, changes, _) = Self.sample()
        let commit = VerifiedCommit.signing(changes, with: site.key)
        let knowledge = MerkleTree.Knowledge(leafCount: changes.count, leaves: Dictionary(uniqueKeysWithValues: changes.enumerated().map { ($0.offset, $0.element.hash) }), nodes: [])
        let proof = try #require(knowledge.proof(for: [1, 4]))
        let partial = BundleCommit(signer: site.key.publicKey, leafCount: changes.count, signature: commit.signature,
                                   leaves: [(1, changes[1].bytes), (4, changes[4].bytes)], proof: proof)
        let file = Bundle.encode([partial], sender: site.key, participant: "PHL", created: Self.created)
        let verified = try Bundle(reading: file).verifiedCommits()
        #expect(verified[0].leaves.map(\.change.hash) == [changes[1].hash, changes[4].hash])
        #expect(verified[0].root == commit.root)
    }

    @Test("the body is a gzip member that gzip -d reads")
    func gzipCompatible() throws {
        let (_, _, file) = Self.sample()
        let bundle = try Bundle(reading: file)
        let start = file.count - BundleHeader.trailerSize - bundle.header.compressedSize
        let directory = TemporaryDirectory()
        let gz = directory.path("body.gz")
        try Data(file[start..<(file.count - BundleHeader.trailerSize)]).write(to: gz)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-dc", gz.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(output.count == bundle.header.bodySize)
    }

    @Test("a body compressed as it comes, in pieces of any size, is the one gzip member of the whole body")
    func deflatedInPieces() throws {
        var generator = SeededGenerator(seed: 13)
        // Text that repeats (as change bytes do) and noise, 3 MiB in all: more than one deflate block and window.
        let body = (0..<3 << 20).map { index in index % 7_000 < 5_000 ? UInt8(ascii: "a") &+ UInt8(index % 23) : UInt8.random(in: 0...255, using: &generator) }
        let whole = Gzip.compress(body, level: 6)
        let deflater = Gzip.Deflater(level: 6)
        var offset = 0
        while offset < body.count {
            let size = min(body.count - offset, [0, 1, 17, 4_096, 70_000, 300_000].randomElement(using: &generator)!)
            deflater.append(Array(body[offset..<(offset + size)]))
            offset += size
        }
        let pieces = deflater.finish()
        #expect(try Gzip.decompress(pieces[...], expectedSize: body.count) == body)
        // zlib's output does not depend on how its input was cut, so bundles stay reproducible.
        #expect(pieces == whole)
    }

    @Test("every truncation is refused with a clear error")
    func truncation() {
        let (_, _, file) = Self.sample()
        for length in 0..<file.count {
            #expect(throws: BundleError.self, "truncated to \(length) bytes") { try Bundle(reading: Array(file.prefix(length))) }
        }
        #expect { try Bundle(reading: Array(file.dropLast(1))) } throws: { "\($0)".contains("truncated") }
    }

    @Test("every single-bit flip is refused")
    func bitFlips() {
        let (_, _, file) = Self.sample(count: 2)
        for index in file.indices {
            for bit in 0..<8 {
                var damaged = file
                damaged[index] ^= 1 << bit
                #expect(throws: BundleError.self, "bit \(bit) of byte \(index)") { try Bundle(reading: damaged) }
            }
        }
    }

    @Test("a bundle signed by another key than its sender's is refused")
    func wrongSignature() throws {
        let (_, _, file) = Self.sample()
        let impostor = TestSite(seed: 77)
        let checksum = Hash256(bytes: file[(file.count - 96)..<(file.count - 64)])
        let forged = Array(file.dropLast(64)) + impostor.key.signature(for: Bundle.signedMessage(checksum: checksum))
        #expect { try Bundle(reading: forged) } throws: { ($0 as? BundleError)?.code == .badSignature }
    }

    @Test("another format version is refused, naming both versions")
    func wrongVersion() {
        let site = TestSite(seed: 4)
        let file = Bundle.seal(body: [], changeCount: 0, sender: site.key, participant: "PHL", created: Self.created, version: 7)
        #expect { try Bundle(reading: file) } throws: {
            ($0 as? BundleError)?.code == .unsupportedVersion && "\($0)".contains("version 7")
        }
    }

    @Test("a version-1 bundle is still read; it may not carry version-2 changes")
    func versionOne() throws {
        var site = TestSite(seed: 4)
        let plain = site.create(testRecordID(1))
        let textual = site.change(testRecordID(1), on: [plain.hash], [
            .text(field: "summary", item: nil, edits: [.insert(counter: 0, left: nil, right: nil, content: Array("Hi".unicodeScalars))]),
        ])
        func sealed(_ change: EncodedChange, version: UInt16) -> [UInt8] {
            var body = ByteWriter()
            var sites = ByteWriter()
            sites.write(count: 1)
            sites.write(raw: site.key.publicKey.rawRepresentation)
            body.write(varint: 1)
            body.write(lengthPrefixed: sites.bytes)
            let commit = VerifiedCommit.signing([change], with: site.key)
            var commits = ByteWriter()
            commits.write(count: 1)
            commits.write(count: 0)
            commits.write(count: 1)
            commits.write(raw: commit.signature)
            commits.write(count: 1)
            commits.write(count: 0)
            commits.write(lengthPrefixed: change.bytes)
            commits.write(count: 0)
            body.write(varint: 2)
            body.write(lengthPrefixed: commits.bytes)
            return Bundle.seal(body: body.bytes, changeCount: 1, sender: site.key, participant: "PHL", created: Self.created, version: version)
        }
        #expect(try Bundle(reading: sealed(plain, version: 1)).verifiedCommits().count == 1)
        #expect { try Bundle(reading: sealed(textual, version: 1)) } throws: { ($0 as? BundleError)?.code == .invalidChange }
        #expect(try Bundle(reading: sealed(textual, version: 2)).verifiedCommits().count == 1)
    }

    @Test("not a bundle at all")
    func notABundle() {
        #expect { try Bundle(reading: Array("hello, this is a letter, not a bundle of changes".utf8)) } throws: {
            ($0 as? BundleError)?.code == .notABundle
        }
    }

    @Test("a decompression bomb is refused before it costs memory")
    func decompressionBomb() {
        let site = TestSite(seed: 4)
        let zeros = [UInt8](repeating: 0, count: 16 << 20)
        let lying = Bundle.seal(body: zeros, changeCount: 0, sender: site.key, participant: "PHL", created: Self.created, level: 9, declaredBodySize: 1000)
        #expect { try Bundle(reading: lying) } throws: { ($0 as? BundleError)?.code == .decompressionBomb }
        let impossible = Bundle.seal(body: [1, 2, 3], changeCount: 0, sender: site.key, participant: "PHL", created: Self.created, declaredBodySize: 1 << 30)
        #expect { try Bundle(reading: impossible) } throws: { ($0 as? BundleError)?.code == .decompressionBomb }
        let tooLarge = Bundle.seal(body: [1, 2, 3], changeCount: 0, sender: site.key, participant: "PHL", created: Self.created, declaredBodySize: 4 << 30)
        #expect { try Bundle(reading: tooLarge) } throws: { ($0 as? BundleError)?.code == .tooLarge }
    }

    @Test("huge counts inside the body are refused, not allocated")
    func hugeCounts() {
        let site = TestSite(seed: 4)
        var body = ByteWriter()
        body.write(varint: 2)  // commits section
        var section = ByteWriter()
        section.write(varint: 1 << 50)
        body.write(lengthPrefixed: section.bytes)
        let file = Bundle.seal(body: body.bytes, changeCount: 1, sender: site.key, participant: "PHL", created: Self.created)
        #expect { try Bundle(reading: file) } throws: { ($0 as? BundleError)?.code == .malformedBody }
    }

    @Test("a change count that disagrees with the header is refused")
    func countMismatch() {
        let (site, changes, _) = Self.sample()
        let commit = BundleCommit(VerifiedCommit.signing(changes, with: site.key))
        let honest = Bundle.encode([commit], sender: site.key, participant: "PHL", created: Self.created)
        let body = try! Gzip.decompress(honest[(honest.count - 96 - (try! Bundle(reading: honest)).header.compressedSize)..<(honest.count - 96)], expectedSize: (try! Bundle(reading: honest)).header.bodySize)
        let lying = Bundle.seal(body: body, changeCount: changes.count + 1, sender: site.key, participant: "PHL", created: Self.created)
        #expect { try Bundle(reading: lying) } throws: { ($0 as? BundleError)?.code == .malformedBody }
    }

    @Test("a commit whose signature does not verify is reported")
    func forgedCommit() throws {
        let (site, changes, _) = Self.sample()
        let real = VerifiedCommit.signing(changes, with: site.key)
        var signature = real.signature
        signature[0] ^= 0xFF
        let forged = BundleCommit(signer: site.key.publicKey, leafCount: changes.count, signature: signature,
                                  leaves: changes.enumerated().map { ($0.offset, $0.element.bytes) }, proof: [])
        let file = Bundle.encode([forged], sender: site.key, participant: "PHL", created: Self.created)
        let bundle = try Bundle(reading: file)
        #expect { try bundle.verifiedCommits() } throws: { ($0 as? BundleError)?.code == .invalidCommit }
    }
}
