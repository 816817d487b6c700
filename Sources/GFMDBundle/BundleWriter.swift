public import GFMDCore
public import GFMDSync

/// What a commit occupies in a bundle body, known before its changes' bytes
/// are read: its signer, size and the sizes of the changes carried.
public struct BundleCommitShape: Sendable {
    /// The site that signed the commit.
    public let signer: SitePublicKey
    /// How many changes the whole commit holds.
    public let leafCount: Int
    /// The changes carried, by ascending index, with the size of each one's bytes.
    public let leaves: [(index: Int, size: Int)]
    /// How many hashes its proof holds.
    public let proofCount: Int

    /// Describes a commit to be written.
    public init(signer: SitePublicKey, leafCount: Int, leaves: [(index: Int, size: Int)], proofCount: Int) {
        self.signer = signer
        self.leafCount = leafCount
        self.leaves = leaves
        self.proofCount = proofCount
    }
}

extension BundleCommit {
    /// This commit's shape.
    public var shape: BundleCommitShape {
        BundleCommitShape(signer: signer, leafCount: leafCount, leaves: leaves.map { ($0.index, $0.bytes.count) }, proofCount: proof.count)
    }
}

/// Writes a bundle as its commits come (`Protocol/bundle.md`): each commit
/// is encoded and compressed at once, so memory holds the compressed file and
/// one commit, never the whole body. The commits' shapes, given first, size
/// the body's sections, whose lengths precede them.
public struct BundleWriter: ~Copyable {
    private let shapes: [BundleCommitShape]
    private let siteIndex: [SitePublicKey: Int]
    private let deflater: Gzip.Deflater
    private let commitsSectionSize: Int
    private var bodySize = 0
    private var appended = 0
    private var changeCount = 0

    /// Starts a bundle that will carry commits of `shapes`, in that order.
    ///
    /// - Parameter level: zlib compression level, 1 (fastest) to 9 (smallest).
    public init(shapes: [BundleCommitShape], level: Int32 = 6) {
        self.shapes = shapes
        let sites = Array(Set(shapes.map(\.signer))).sorted { $0.rawRepresentation.lexicographicallyPrecedes($1.rawRepresentation) }
        let siteIndex = Dictionary(uniqueKeysWithValues: sites.enumerated().map { ($0.element, $0.offset) })
        self.siteIndex = siteIndex
        deflater = Gzip.Deflater(level: level)
        commitsSectionSize = shapes.reduce(ByteWriter.varintSize(shapes.count)) { size, shape in
            var gapsAndSizes = 0
            var previous = -1
            for leaf in shape.leaves {
                gapsAndSizes += ByteWriter.varintSize(leaf.index - previous - 1) + ByteWriter.varintSize(leaf.size) + leaf.size
                previous = leaf.index
            }
            return size + ByteWriter.varintSize(siteIndex[shape.signer]!) + ByteWriter.varintSize(shape.leafCount)
                + SitePublicKey.signatureByteCount + ByteWriter.varintSize(shape.leaves.count) + gapsAndSizes
                + ByteWriter.varintSize(shape.proofCount) + Hash256.byteCount * shape.proofCount
        }
        var head = ByteWriter(capacity: 32 * sites.count + 32)
        var sitesSection = ByteWriter(capacity: 32 * sites.count + 8)
        sitesSection.write(count: sites.count)
        for site in sites { sitesSection.write(raw: site.rawRepresentation) }
        head.write(varint: Bundle.Section.sites.rawValue)
        head.write(lengthPrefixed: sitesSection.bytes)
        head.write(varint: Bundle.Section.commits.rawValue)
        head.write(count: commitsSectionSize)
        head.write(count: shapes.count)
        write(head.bytes)
    }

    private mutating func write(_ bytes: [UInt8]) {
        deflater.append(bytes)
        bodySize += bytes.count
    }

    /// Adds the next commit, which must have the next shape given.
    public mutating func append(_ commit: BundleCommit) {
        let shape = shapes[appended]
        precondition(commit.signer == shape.signer && commit.leafCount == shape.leafCount && commit.proof.count == shape.proofCount
                     && commit.leaves.map(\.index) == shape.leaves.map(\.index)
                     && commit.leaves.map(\.bytes.count) == shape.leaves.map(\.size),
                     "a commit appended to a bundle has the shape announced for it")
        var encoded = ByteWriter(capacity: 128 + commit.leaves.reduce(0) { $0 + $1.bytes.count + 8 } + Hash256.byteCount * commit.proof.count)
        encoded.write(count: siteIndex[commit.signer]!)
        encoded.write(count: commit.leafCount)
        encoded.write(raw: commit.signature)
        encoded.write(count: commit.leaves.count)
        var previous = -1
        for leaf in commit.leaves {
            encoded.write(count: leaf.index - previous - 1)
            encoded.write(lengthPrefixed: leaf.bytes)
            previous = leaf.index
        }
        encoded.write(count: commit.proof.count)
        for hash in commit.proof { encoded.write(hash: hash) }
        write(encoded.bytes)
        appended += 1
        changeCount += commit.leaves.count
    }

    /// Ends the body and returns the bundle file, signed by `sender`
    /// (``Bundle/encode(_:sender:participant:certificate:created:sync:level:sealedFor:)``
    /// says what the arguments mean).
    public consuming func finish(
        sender: SiteSigningKey, participant: String, certificate: Certificate? = nil, created: HybridTimestamp,
        sync: SyncMessage? = nil, sealedFor recipients: SealRecipients? = nil
    ) -> [UInt8] {
        precondition(recipients.map { !$0.sites.isEmpty } ?? true, "a sealed bundle has at least one recipient")
        return finish(sender: sender, participant: participant, certificate: certificate, created: created, sync: sync,
                      version: recipients == nil ? BundleHeader.currentVersion : BundleHeader.sealedVersion, recipients: recipients)
    }

    /// Ends the body in format `version` (tests write older versions).
    consuming func finish(
        sender: SiteSigningKey, participant: String, certificate: Certificate?, created: HybridTimestamp,
        sync: SyncMessage?, version: UInt16, recipients: SealRecipients?
    ) -> [UInt8] {
        precondition(appended == shapes.count, "every commit announced is appended before a bundle is finished")
        precondition(bodySize == commitsSectionSize + prefixSize, "the commits written fill the section their shapes sized")
        if let sync, version >= BundleHeader.syncVersion {
            var section = ByteWriter(capacity: 256)
            section.write(varint: Bundle.Section.sync.rawValue)
            section.write(lengthPrefixed: sync.encoded(relativeTo: created))
            if !sync.fingerprints.isEmpty {
                section.write(varint: Bundle.Section.fingerprints.rawValue)
                section.write(lengthPrefixed: sync.encodedFingerprints(relativeTo: created))
            }
            write(section.bytes)
        }
        return Bundle.seal(compressed: deflater.finish(), bodySize: bodySize, changeCount: changeCount, sender: sender,
                           participant: participant, certificate: certificate, created: created, version: version, recipients: recipients)
    }

    /// The bytes before the commits section's own content: the sites section and the commits section's kind and length.
    private var prefixSize: Int {
        let sitesSize = ByteWriter.varintSize(siteIndex.count) + siteIndex.count * SitePublicKey.byteCount
        return ByteWriter.varintSize(Int(Bundle.Section.sites.rawValue)) + ByteWriter.varintSize(sitesSize) + sitesSize
            + ByteWriter.varintSize(Int(Bundle.Section.commits.rawValue)) + ByteWriter.varintSize(commitsSectionSize)
    }
}
