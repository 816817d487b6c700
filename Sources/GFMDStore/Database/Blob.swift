import Foundation
import GFMDCore

/// Conversions between gfmd's identifiers and SQLite blobs.
extension Hash256 {
    /// The 32 bytes as a blob, made from the words without an array between.
    var data: Data { withUnsafeBytes { Data($0) } }

    init(data: Data) throws(StoreError) {
        guard data.count == 32 else { throw StoreError(.corrupt, "a stored change id is not 32 bytes") }
        self = data.withUnsafeBytes { Hash256($0) }
    }
}

extension ShortID {
    /// The 16 bytes as a blob, written word by word (ids are read and bound by the thousand per sync).
    var data: Data {
        var words = (self.words.0.bigEndian, self.words.1.bigEndian)
        return withUnsafeBytes(of: &words) { Data($0) }
    }

    init(data: Data) throws(StoreError) {
        guard data.count == 16 else { throw StoreError(.corrupt, "a stored id is not 16 bytes") }
        let words = data.withUnsafeBytes { raw in
            (UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self)), UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        }
        self.init(words: words)
    }
}

extension Array where Element == Hash256 {
    /// The hashes concatenated, as stored in `change.deps`.
    var concatenatedData: Data {
        var data = Data(capacity: count * 32)
        for hash in self {
            hash.withUnsafeBytes { data.append($0.baseAddress!.assumingMemoryBound(to: UInt8.self), count: $0.count) }
        }
        return data
    }

    /// Splits a concatenation of 32-byte hashes.
    init(concatenated data: Data) throws(StoreError) {
        guard data.count % 32 == 0 else { throw StoreError(.corrupt, "stored dependencies are not whole ids") }
        let bytes = [UInt8](data)
        self = stride(from: 0, to: bytes.count, by: 32).map { Hash256(bytes: bytes[$0..<$0 + 32]) }
    }
}

extension Array where Element == MerkleTree.Node {
    /// The nodes as stored in `commit_group.proof_nodes`: start, end, hash each.
    var encoded: Data {
        var writer = ByteWriter(capacity: count * 40)
        for node in self {
            writer.write(count: node.start)
            writer.write(count: node.end)
            writer.write(hash: node.hash)
        }
        return Data(writer.bytes)
    }

    /// Reads nodes stored by ``encoded``.
    init(decoding data: Data) throws {
        var reader = ByteReader([UInt8](data))
        var nodes: [MerkleTree.Node] = []
        while !reader.isAtEnd {
            let start = try reader.readInt("proof node start")
            let end = try reader.readInt("proof node end")
            nodes.append(MerkleTree.Node(start: start, end: end, hash: try reader.readHash("proof node hash")))
        }
        self = nodes
    }
}
