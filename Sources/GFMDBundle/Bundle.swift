public import GFMDCore
public import GFMDSync

/// A bundle file: changes with their signatures, compressed and signed by the
/// replica that made it (`Protocol/bundle.md`).
///
/// Reading checks, in order, the magic and version, the checksum, the sender's
/// signature, the body's declared size against the limits, and then inflates
/// and decodes the body. Commit signatures are checked by ``verifiedCommits()``.
public struct Bundle: Sendable {
    /// The header.
    public let header: BundleHeader
    /// The SHA-256 checksum of the header and compressed body: the bundle's id.
    public let checksum: Hash256
    /// The commits carried.
    public let commits: [ReceivedCommit]
    /// What the sender says about knowledge (format version 5 and later,
    /// when the bundle was made for a participant): `Protocol/sync.md`.
    public let sync: SyncMessage?

    /// Body section kinds (`Protocol/bundle.md`, "Body").
    enum Section: UInt64 {
        case sites = 1
        case commits = 2
        case sync = 3
        /// What the sender holds of the sites whose claims the recipient
        /// checks (`Protocol/sync.md`, "Fingerprints"); read with a sync section.
        case fingerprints = 4
    }

    /// The bytes the sender signs: a domain tag and the checksum. The tag is
    /// the same in every format version (the version is inside the checksum).
    static func signedMessage(checksum: Hash256) -> [UInt8] {
        Array("gfmd bundle v1".utf8) + [0] + checksum.bytes
    }

    /// The number of changes carried.
    public var changeCount: Int { header.changeCount }

    /// Checks every commit's signature and returns the commits.
    ///
    /// - Throws: ``BundleError`` naming the first commit that does not verify.
    ///
    /// Signatures are checked on every core at once: each is independent, and
    /// checking them is most of the cost of reading a bundle of many commits.
    public func verifiedCommits() throws(BundleError) -> [VerifiedCommit] {
        let results = commits.concurrentMap { commit in Result { () throws(SignatureError) in try commit.verified() } }
        var verified: [VerifiedCommit] = []
        verified.reserveCapacity(commits.count)
        for (index, result) in results.enumerated() {
            switch result {
            case .success(let commit): verified.append(commit)
            case .failure(let error):
                throw BundleError(.invalidCommit, "commit \(index + 1) of the bundle does not verify: \(error)")
            }
        }
        return verified
    }
}

extension Bundle {
    /// Writes a bundle of `commits`, signed by `sender`.
    ///
    /// - Parameters:
    ///   - participant: the participant the sender acts for.
    ///   - created: when the bundle is made, on the sender's clock.
    ///   - level: zlib compression level, 1 (fastest) to 9 (smallest).
    ///   - certificate: the sender's certificate, carried in the header so
    ///     that a receiver can tell who sent the file before inflating it.
    ///   - sync: what the sender says about knowledge, for a bundle made for a participant.
    ///   - sealedFor: the sites that alone may open the body (format version
    ///     6); nil writes a plain bundle (version 5). It must name at least one site.
    public static func encode(
        _ commits: [BundleCommit], sender: SiteSigningKey, participant: String, certificate: Certificate? = nil,
        created: HybridTimestamp, sync: SyncMessage? = nil, level: Int32 = 6, sealedFor recipients: SealRecipients? = nil
    ) -> [UInt8] {
        precondition(recipients.map { !$0.sites.isEmpty } ?? true, "a sealed bundle has at least one recipient")
        return encode(commits, sender: sender, participant: participant, certificate: certificate, created: created, sync: sync,
                      level: level, version: recipients == nil ? BundleHeader.currentVersion : BundleHeader.sealedVersion,
                      recipients: recipients)
    }

    /// Writes a bundle in format `version` (tests write version 1 to check it is still read).
    static func encode(
        _ commits: [BundleCommit], sender: SiteSigningKey, participant: String, certificate: Certificate? = nil,
        created: HybridTimestamp, sync: SyncMessage? = nil, level: Int32, version: UInt16, recipients: SealRecipients? = nil
    ) -> [UInt8] {
        var writer = BundleWriter(shapes: commits.map(\.shape), level: level)
        for commit in commits { writer.append(commit) }
        return writer.finish(sender: sender, participant: participant, certificate: certificate, created: created, sync: sync,
                             version: version, recipients: recipients)
    }

    /// Compresses `body` and wraps it as ``seal(compressed:bodySize:changeCount:sender:participant:certificate:created:version:recipients:)`` does.
    ///
    /// `version` and `declaredBodySize` exist so tests can make files that lie.
    static func seal(
        body: [UInt8], changeCount: Int, sender: SiteSigningKey, participant: String, certificate: Certificate? = nil,
        created: HybridTimestamp, level: Int32 = 6, version: UInt16 = BundleHeader.currentVersion, declaredBodySize: Int? = nil,
        recipients: SealRecipients? = nil
    ) -> [UInt8] {
        seal(compressed: Gzip.compress(body, level: level), bodySize: declaredBodySize ?? body.count, changeCount: changeCount,
             sender: sender, participant: participant, certificate: certificate, created: created, version: version, recipients: recipients)
    }

    /// Wraps a compressed body (and with `recipients`, encrypts it to them)
    /// in a header, checksum and signature.
    static func seal(
        compressed: [UInt8], bodySize: Int, changeCount: Int, sender: SiteSigningKey, participant: String, certificate: Certificate?,
        created: HybridTimestamp, version: UInt16, recipients: SealRecipients?
    ) -> [UInt8] {
        let sealing = recipients.map { BundleSeal.seal(for: $0) }
        let header = BundleHeader(
            version: version, sender: sender.publicKey, senderParticipant: participant,
            created: created, changeCount: changeCount, bodySize: bodySize,
            compressedSize: compressed.count + (sealing == nil ? 0 : BundleSeal.tagSize),
            senderCertificate: version >= BundleHeader.certificateVersion ? certificate : nil, seal: sealing?.seal)
        var file = header.encoded
        file.reserveCapacity(file.count + compressed.count + BundleSeal.tagSize + BundleHeader.trailerSize)
        if let sealing {
            file.append(contentsOf: BundleSeal.encrypt(compressed, with: sealing.contentKey, header: file))
        } else {
            file.append(contentsOf: compressed)
        }
        let checksum = Hash256.of(file)
        file.append(contentsOf: checksum.bytes)
        file.append(contentsOf: sender.signature(for: signedMessage(checksum: checksum)))
        return file
    }

    /// Reads and checks a bundle file: its envelope (``BundleEnvelope``), then its body.
    ///
    /// - Throws: ``BundleError`` naming what is wrong: not a bundle, another
    ///   version, truncated or altered (checksum), wrongly signed, too large,
    ///   a decompression bomb, or a malformed body or change.
    public init(reading file: [UInt8], limits: BundleLimits = .standard) throws(BundleError) {
        self = try BundleEnvelope(reading: file, limits: limits).open()
    }

    /// The commits of an inflated body, however many it carries (for fuzzing the body decoder).
    package static func decodeBody(_ body: [UInt8]) throws(BundleError) -> [ReceivedCommit] {
        try readBody(body, bodyOffset: 0, declaredChanges: nil, header: nil).commits
    }

    /// `file` with its checksum and sender signature made anew by `key` over
    /// all but its last 96 bytes (for fuzzing what lies behind them).
    package static func resigned(_ file: [UInt8], by key: SiteSigningKey) -> [UInt8] {
        let content = Array(file.dropLast(BundleHeader.trailerSize))
        let checksum = Hash256.of(content)
        return content + checksum.bytes + key.signature(for: signedMessage(checksum: checksum))
    }

    /// Reads a body; `header` (nil when fuzzing the body alone) says whether
    /// its version carries a sync section, and the time it is relative to.
    static func readBody(
        _ body: [UInt8], bodyOffset: Int, declaredChanges: Int?, header: BundleHeader?
    ) throws(BundleError) -> (commits: [ReceivedCommit], sync: SyncMessage?) {
        var reader = ByteReader(body)
        var sync: SyncMessage?
        var sites: [SitePublicKey] = []
        var commits: [ReceivedCommit] = []
        var lastKind: UInt64 = 0
        var sawCommits = false
        var changeCount = 0
        do {
            while !reader.isAtEnd {
                let kind = try reader.readVarint("section kind")
                guard kind > lastKind else {
                    throw reader.failure(.notCanonical, "sections (kinds must ascend)")
                }
                lastKind = kind
                var section = try reader.readNested("section \(kind)")
                switch Section(rawValue: kind) {
                case .sites:
                    sites = try readSites(&section)
                case .commits:
                    sawCommits = true
                    let count = try section.readCount("commit count", minimumElementSize: 70)
                    commits.reserveCapacity(count)
                    for index in 0..<count {
                        let commit = try readCommit(&section, index: index, sites: sites)
                        changeCount += commit.leaves.count
                        if let declaredChanges, changeCount > declaredChanges {
                            throw BundleError(.malformedBody, "the bundle carries more changes than the \(declaredChanges) its header declares")
                        }
                        commits.append(commit)
                    }
                case .sync where (header?.version ?? BundleHeader.currentVersion) >= BundleHeader.syncVersion:
                    sync = try SyncMessage(decoding: section.readRest(), relativeTo: header?.created ?? HybridTimestamp(rawValue: .max))
                case .fingerprints where sync != nil:
                    sync?.fingerprints = try SyncMessage.fingerprints(decoding: section.readRest(),
                                                                      relativeTo: header?.created ?? HybridTimestamp(rawValue: .max))
                case nil, .sync, .fingerprints:
                    continue  // A section of a newer version: its information may be ignored.
                }
                try section.expectEnd("section \(kind)")
            }
        } catch let error as FormatError {
            throw BundleError(body: error)
        } catch let error as BundleError {
            throw error
        } catch {
            throw BundleError(.malformedBody, "the bundle body is malformed: \(error)")
        }
        guard let declaredChanges else { return (commits, sync) }
        guard sawCommits || declaredChanges == 0 else {
            throw BundleError(.malformedBody, "the bundle body has no commits section")
        }
        guard changeCount == declaredChanges else {
            throw BundleError(.malformedBody, "the bundle carries \(changeCount) changes but its header declares \(declaredChanges)")
        }
        return (commits, sync)
    }

    private static func readSites(_ reader: inout ByteReader) throws -> [SitePublicKey] {
        let count = try reader.readCount("site count", minimumElementSize: 32)
        var sites: [SitePublicKey] = []
        sites.reserveCapacity(count)
        for index in 0..<count {
            let raw = try reader.readBytes(32, "site key \(index)")
            if let last = sites.last, !last.rawRepresentation.lexicographicallyPrecedes(raw) {
                throw reader.failure(.notCanonical, "site keys (must be sorted and distinct)")
            }
            do {
                sites.append(try SitePublicKey(rawRepresentation: raw))
            } catch {
                throw BundleError(.malformedBody, "site key \(index + 1) of the bundle is not a valid Ed25519 key")
            }
        }
        return sites
    }

    private static func readCommit(_ reader: inout ByteReader, index: Int, sites: [SitePublicKey]) throws -> ReceivedCommit {
        let context = "commit \(index + 1)"
        let signerIndex = try reader.readCount(context + " signer", limit: max(sites.count - 1, 0))
        guard signerIndex < sites.count else {
            throw BundleError(.malformedBody, "\(context) names a signer the bundle does not list")
        }
        let leafCount = try reader.readVarint(context + " leaf count")
        guard leafCount >= 1, leafCount <= UInt64(UInt32.max) else {
            throw reader.failure(.invalidValue, context + " leaf count")
        }
        let signature = Array(try reader.readBytes(SitePublicKey.signatureByteCount, context + " signature"))
        let carried = try reader.readCount(context + " change count", minimumElementSize: 2, limit: Int(leafCount))
        guard carried >= 1 else { throw reader.failure(.invalidValue, context + " carries no change") }
        var leaves: [(index: Int, change: EncodedChange)] = []
        leaves.reserveCapacity(carried)
        var previous = -1
        for _ in 0..<carried {
            guard previous + 1 < Int(leafCount) else {
                throw BundleError(.malformedBody, "\(context) carries a change past its \(leafCount) leaves")
            }
            let gap = try reader.readCount(context + " leaf index", limit: Int(leafCount) - previous - 2)
            let leafIndex = previous + 1 + gap
            let start = reader.offset
            let bytes = Array(try reader.readLengthPrefixed(context + " change"))
            do {
                leaves.append((leafIndex, try EncodedChange(bytes: bytes, offsetInInput: start)))
            } catch {
                throw BundleError(.invalidChange, "change \(leafIndex + 1) of \(context) is invalid: \(error)")
            }
            previous = leafIndex
        }
        let proofCount = try reader.readCount(context + " proof length", minimumElementSize: 32, limit: Int(leafCount))
        var proof: [Hash256] = []
        proof.reserveCapacity(proofCount)
        for _ in 0..<proofCount { proof.append(try reader.readHash(context + " proof")) }
        return ReceivedCommit(signer: sites[signerIndex], leafCount: Int(leafCount), signature: signature, leaves: leaves, proof: proof)
    }
}
