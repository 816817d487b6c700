import Crypto

/// The Merkle tree over the changes of one commit, with proofs for subsets.
///
/// The shape is RFC 6962's: a range of `n > 1` leaves splits at the largest
/// power of two below `n`. Leaves hash as `SHA-256(0x00 ‖ change id)` and
/// inner nodes as `SHA-256(0x01 ‖ left ‖ right)`. A proof for a subset of the
/// leaves is the list of hashes of the maximal ranges holding none of them, in
/// left-to-right order (`Protocol/bundle.md`, "Commits"), so a bundle can carry
/// some of a commit's changes and still prove them signed.
public enum MerkleTree {
    /// A node of the tree: the range of leaves it covers and its hash.
    public struct Node: Hashable, Sendable {
        /// First leaf covered.
        public let start: Int
        /// One past the last leaf covered.
        public let end: Int
        /// The node's hash.
        public let hash: Hash256

        /// Creates a node.
        public init(start: Int, end: Int, hash: Hash256) {
            self.start = start
            self.end = end
            self.hash = hash
        }
    }

    /// The hash of a leaf holding change `id`.
    public static func leafHash(_ id: ChangeHash) -> Hash256 {
        var hasher = SHA256()
        hasher.update(data: [0x00])
        id.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return Hash256(digest: hasher.finalize())
    }

    /// The hash of an inner node.
    public static func nodeHash(_ left: Hash256, _ right: Hash256) -> Hash256 {
        var hasher = SHA256()
        hasher.update(data: [0x01])
        left.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        right.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return Hash256(digest: hasher.finalize())
    }

    /// Where a range of `count > 1` leaves splits: the largest power of two below `count`.
    static func split(_ count: Int) -> Int {
        var k = 1
        while k * 2 < count { k *= 2 }
        return k
    }

    /// The root over all of a commit's change ids, in commit order.
    public static func root(of ids: [ChangeHash]) -> Hash256 {
        precondition(!ids.isEmpty, "a commit holds at least one change")
        func hash(_ range: Range<Int>) -> Hash256 {
            if range.count == 1 { return leafHash(ids[range.lowerBound]) }
            let mid = range.lowerBound + split(range.count)
            return nodeHash(hash(range.lowerBound..<mid), hash(mid..<range.upperBound))
        }
        return hash(0..<ids.count)
    }

    /// What a replica knows of one commit's tree: some leaves and some nodes.
    public struct Knowledge: Sendable {
        /// The number of leaves of the tree.
        public let leafCount: Int
        /// Known leaves: change ids by index.
        public var leaves: [Int: ChangeHash]
        /// Known node hashes, received in proofs, by range.
        public var nodes: [Range<Int>: Hash256]

        /// Knowledge of a tree of `leafCount` leaves.
        public init(leafCount: Int, leaves: [Int: ChangeHash], nodes: [Node]) {
            self.leafCount = leafCount
            self.leaves = leaves
            self.nodes = Dictionary(nodes.map { ($0.start..<$0.end, $0.hash) }, uniquingKeysWith: { first, _ in first })
        }

        /// The hash of `range`, if what is known determines it.
        func hash(of range: Range<Int>) -> Hash256? {
            if let known = nodes[range] { return known }
            if range.count == 1 { return leaves[range.lowerBound].map(MerkleTree.leafHash) }
            let mid = range.lowerBound + MerkleTree.split(range.count)
            guard let left = hash(of: range.lowerBound..<mid), let right = hash(of: mid..<range.upperBound) else { return nil }
            return MerkleTree.nodeHash(left, right)
        }

        /// The proof for leaves `included` (sorted indices of known leaves), or
        /// nil when what is known does not determine it.
        public func proof(for included: [Int]) -> [Hash256]? {
            var proof: [Hash256] = []
            var cursor = 0
            func walk(_ range: Range<Int>) -> Bool {
                let first = cursor
                while cursor < included.count, included[cursor] < range.upperBound { cursor += 1 }
                let containsIncluded = cursor > first
                cursor = first
                if !containsIncluded {
                    guard let hash = hash(of: range) else { return false }
                    proof.append(hash)
                    return true
                }
                if range.count == 1 {
                    cursor += 1
                    return true
                }
                let mid = range.lowerBound + MerkleTree.split(range.count)
                return walk(range.lowerBound..<mid) && walk(mid..<range.upperBound)
            }
            return walk(0..<leafCount) ? proof : nil
        }
    }

    /// Recomputes the root from some leaves and their proof, and returns it
    /// with the proof's nodes (for keeping, to prove these leaves again later).
    ///
    /// - Parameters:
    ///   - leafCount: the number of leaves of the whole tree.
    ///   - included: the leaves carried, by strictly ascending index.
    ///   - proof: the hashes of the ranges holding none of them, left to right.
    /// - Throws: ``SignatureError/Code/badProof`` when the indices or the
    ///   number of proof hashes do not fit the tree.
    public static func root(
        leafCount: Int, included: [(index: Int, id: ChangeHash)], proof: [Hash256]
    ) throws(SignatureError) -> (root: Hash256, nodes: [Node]) {
        guard leafCount >= 1, !included.isEmpty else {
            throw SignatureError(.badProof, "a commit proof covers no change")
        }
        for (previous, next) in zip(included, included.dropFirst()) where previous.index >= next.index {
            throw SignatureError(.badProof, "commit leaves are not in ascending order")
        }
        guard included.first!.index >= 0, included.last!.index < leafCount else {
            throw SignatureError(.badProof, "a commit leaf index is outside the commit")
        }
        var cursor = 0
        var proofCursor = 0
        var nodes: [Node] = []
        func walk(_ range: Range<Int>) throws(SignatureError) -> Hash256 {
            let first = cursor
            while cursor < included.count, included[cursor].index < range.upperBound { cursor += 1 }
            let containsIncluded = cursor > first
            cursor = first
            if !containsIncluded {
                guard proofCursor < proof.count else {
                    throw SignatureError(.badProof, "the commit proof is too short")
                }
                defer { proofCursor += 1 }
                nodes.append(Node(start: range.lowerBound, end: range.upperBound, hash: proof[proofCursor]))
                return proof[proofCursor]
            }
            if range.count == 1 {
                defer { cursor += 1 }
                return leafHash(included[cursor].id)
            }
            let mid = range.lowerBound + split(range.count)
            let left = try walk(range.lowerBound..<mid)
            let right = try walk(mid..<range.upperBound)
            return nodeHash(left, right)
        }
        let root = try walk(0..<leafCount)
        guard proofCursor == proof.count else {
            throw SignatureError(.badProof, "the commit proof has \(proof.count - proofCursor) hashes too many")
        }
        return (root, nodes)
    }
}
