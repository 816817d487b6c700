/// Changes of one commit whose signature has been checked.
///
/// A commit is what one local action records: one or more changes, signed
/// once by their site over the Merkle root of their ids (DESIGN.md §5, one
/// signature per local commit). A `VerifiedCommit` can only be made by signing
/// (``signing(_:with:)``) or by checking a signature (``verifying(...)``), so
/// holding one means every change in it is authentic.
public struct VerifiedCommit: Sendable {
    /// One change with its position among the commit's leaves.
    public struct Leaf: Sendable {
        /// The leaf's index in the commit.
        public let index: Int
        /// The change.
        public let change: EncodedChange
    }

    /// The site that signed.
    public let signer: SitePublicKey
    /// The Merkle root of the commit's change ids.
    public let root: Hash256
    /// How many changes the whole commit holds.
    public let leafCount: Int
    /// The Ed25519 signature over ``signedMessage(leafCount:root:)``.
    public let signature: [UInt8]
    /// The changes carried, by ascending index (all of them, or a subset).
    public let leaves: [Leaf]
    /// Proof nodes that complete the tree for a subset (empty for a whole commit).
    public let proofNodes: [MerkleTree.Node]

    /// The bytes a site signs for a commit.
    public static func signedMessage(leafCount: Int, root: Hash256) -> [UInt8] {
        var writer = ByteWriter(capacity: 64)
        writer.write(raw: Array("gfmd commit v1".utf8))
        writer.write(byte: 0)
        writer.write(uint32BigEndian: UInt32(leafCount))
        writer.write(hash: root)
        return writer.bytes
    }

    /// Signs `changes`, all made by `key`'s site, as one commit.
    public static func signing(_ changes: [EncodedChange], with key: SiteSigningKey) -> VerifiedCommit {
        precondition(!changes.isEmpty, "a commit holds at least one change")
        precondition(changes.allSatisfy { $0.change.site == key.siteID }, "a site signs only its own changes")
        let root = MerkleTree.root(of: changes.map(\.hash))
        return VerifiedCommit(
            signer: key.publicKey, root: root, leafCount: changes.count,
            signature: key.signature(for: signedMessage(leafCount: changes.count, root: root)),
            leaves: changes.enumerated().map { Leaf(index: $0.offset, change: $0.element) },
            proofNodes: [])
    }

    /// Checks that `leaves` belong to a commit of `leafCount` changes signed by
    /// `signer`, using `proof` for the leaves not carried.
    ///
    /// - Throws: ``SignatureError`` when a change was made by another site, the
    ///   proof does not fit, or the signature does not verify.
    public static func verifying(
        signer: SitePublicKey, leafCount: Int, signature: [UInt8],
        leaves: [(index: Int, change: EncodedChange)], proof: [Hash256]
    ) throws(SignatureError) -> VerifiedCommit {
        for leaf in leaves where leaf.change.change.site != signer.siteID {
            throw SignatureError(.wrongSigner,
                "change \(leaf.change.hash.short) names site \(leaf.change.change.site.short) but is signed by site \(signer.siteID.short)")
        }
        let (root, nodes) = try MerkleTree.root(
            leafCount: leafCount, included: leaves.map { ($0.index, $0.change.hash) }, proof: proof)
        guard signer.isValidSignature(signature, for: signedMessage(leafCount: leafCount, root: root)) else {
            throw SignatureError(.badSignature, "the signature of site \(signer.siteID.short) over a commit of \(leafCount) change\(leafCount == 1 ? "" : "s") does not verify")
        }
        return VerifiedCommit(
            signer: signer, root: root, leafCount: leafCount, signature: signature,
            leaves: leaves.map { Leaf(index: $0.index, change: $0.change) }, proofNodes: nodes)
    }
}
