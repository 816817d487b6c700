public import GFMDCore

/// One commit as a bundle carries it: some or all of its changes, the
/// signature of their author's site, and the proof for the changes left out.
public struct BundleCommit: Sendable {
    /// The site that signed the commit.
    public let signer: SitePublicKey
    /// How many changes the whole commit holds.
    public let leafCount: Int
    /// The signer's Ed25519 signature over the commit's Merkle root.
    public let signature: [UInt8]
    /// The changes carried, by ascending index: their canonical bytes.
    public let leaves: [(index: Int, bytes: [UInt8])]
    /// Hashes of the Merkle ranges holding none of the carried changes.
    public let proof: [Hash256]

    /// Describes a commit to write into a bundle.
    public init(signer: SitePublicKey, leafCount: Int, signature: [UInt8], leaves: [(index: Int, bytes: [UInt8])], proof: [Hash256]) {
        self.signer = signer
        self.leafCount = leafCount
        self.signature = signature
        self.leaves = leaves
        self.proof = proof
    }

    /// A whole commit just signed, or any verified commit with its proof.
    public init(_ commit: VerifiedCommit) {
        let knowledge = MerkleTree.Knowledge(
            leafCount: commit.leafCount,
            leaves: Dictionary(uniqueKeysWithValues: commit.leaves.map { ($0.index, $0.change.hash) }),
            nodes: commit.proofNodes)
        // A verified commit's own leaves and nodes always determine its proof.
        let proof = knowledge.proof(for: commit.leaves.map(\.index))!
        self.init(
            signer: commit.signer, leafCount: commit.leafCount, signature: commit.signature,
            leaves: commit.leaves.map { ($0.index, $0.change.bytes) }, proof: proof)
    }
}

/// A commit read from a bundle, its changes decoded but its signature not yet checked.
public struct ReceivedCommit: Sendable {
    /// The site that claims to have signed the commit.
    public let signer: SitePublicKey
    /// How many changes the whole commit holds.
    public let leafCount: Int
    /// The claimed signature.
    public let signature: [UInt8]
    /// The changes carried, decoded, by ascending index.
    public let leaves: [(index: Int, change: EncodedChange)]
    /// Hashes of the Merkle ranges holding none of the carried changes.
    public let proof: [Hash256]

    /// Checks the signature over the commit's changes.
    ///
    /// - Throws: ``SignatureError`` when a change, the proof or the signature does not check out.
    public func verified() throws(SignatureError) -> VerifiedCommit {
        try VerifiedCommit.verifying(signer: signer, leafCount: leafCount, signature: signature, leaves: leaves, proof: proof)
    }
}
