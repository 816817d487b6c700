public import GFMDCore

/// A bundle file whose header, checksum and sender signature are checked,
/// its body still compressed (`Protocol/bundle.md`, "Reading", steps 1–5).
///
/// A receiver decides from the envelope whether it accepts bundles from the
/// sender at all, before ``open()`` spends memory inflating the body.
public struct BundleEnvelope: Sendable {
    /// The header.
    public let header: BundleHeader
    /// The SHA-256 checksum of the header and compressed body: the bundle's id.
    public let checksum: Hash256
    private let compressed: ArraySlice<UInt8>
    private let headerBytes: ArraySlice<UInt8>
    private let bodyOffset: Int

    /// Reads and checks the envelope of a bundle file.
    ///
    /// - Throws: ``BundleError`` naming what is wrong: not a bundle, another
    ///   version, truncated or altered (checksum), a malformed header, too
    ///   large, a decompression bomb by its sizes, or wrongly signed.
    public init(reading file: [UInt8], limits: BundleLimits = .standard) throws(BundleError) {
        guard file.count <= limits.maximumFileSize else {
            throw BundleError(.tooLarge, "the file is \(file.count) bytes, more than the limit of \(limits.maximumFileSize)")
        }
        // Magic and version first, so that another kind of file or a newer
        // format gets its own message rather than a checksum failure.
        try BundleHeader.checkMagicAndVersion(file)
        let contentEnd = file.count - BundleHeader.trailerSize
        guard contentEnd > BundleHeader.minimumSize else {
            throw BundleError(.truncated, "the file is truncated: it ends before its checksum and signature")
        }
        let storedChecksum = Hash256(bytes: file[contentEnd..<contentEnd + 32])
        checksum = Hash256.of(file[0..<contentEnd])
        guard storedChecksum == checksum else {
            throw BundleError(.checksumMismatch, "the file is damaged or truncated: its checksum does not match its contents")
        }
        var reader = ByteReader(file)
        header = try BundleHeader.read(from: &reader, fileSize: file.count, limits: limits)
        let signature = Array(file[(contentEnd + 32)...])
        guard header.sender.isValidSignature(signature, for: Bundle.signedMessage(checksum: checksum)) else {
            throw BundleError(.badSignature,
                "the bundle's signature does not verify against the key of its sender (site \(header.sender.siteID.short))")
        }
        bodyOffset = reader.offset
        headerBytes = file[0..<reader.offset]
        compressed = file[reader.offset..<contentEnd]
    }

    /// Whether the body is sealed, so that only its recipients open it.
    public var isSealed: Bool { header.seal != nil }

    /// Decrypts a sealed body (step 6 of a sealed bundle) with the key of
    /// the reading site, then inflates and decodes the body (steps 7 and 8):
    /// memory grows with what the body really inflates to, never past the
    /// size the header declares.
    ///
    /// - Parameter recipient: the reading site and its decryption key; a
    ///   plain bundle needs none.
    /// - Throws: ``BundleError`` for a sealed bundle not for this site (or
    ///   opened without a key), a key that does not open, a decompression
    ///   bomb, a damaged body, or a malformed body or change.
    public func open(as recipient: (site: SiteID, key: DecryptionKey)? = nil) throws(BundleError) -> Bundle {
        var compressed = self.compressed
        if let seal = header.seal {
            guard let recipient else {
                throw BundleError(.notForThisSite, "this bundle is sealed for \(seal.participant): only its sites (\(seal.sites.map(\.short).joined(separator: ", "))) open it")
            }
            let contentKey = try seal.contentKey(for: recipient.site, with: recipient.key)
            compressed = try BundleSeal.decrypt(compressed, with: contentKey, header: headerBytes)[...]
        }
        let body: [UInt8]
        do {
            body = try Gzip.decompress(compressed, expectedSize: header.bodySize)
        } catch {
            switch error {
            case .tooLarge:
                throw BundleError(.decompressionBomb,
                    "the bundle body inflates to more than the \(header.bodySize) bytes it declares: refused as a decompression bomb")
            case .corrupt(let reason):
                throw BundleError(.corruptBody, reason)
            }
        }
        let (commits, sync) = try Bundle.readBody(body, bodyOffset: bodyOffset, declaredChanges: header.changeCount, header: header)
        let newest = BundleHeader.newestChangeVersion(in: header.version)
        for commit in commits {
            if let leaf = commit.leaves.first(where: { $0.change.change.version > newest }) {
                throw BundleError(.invalidChange, "a version-\(header.version) bundle carries a change of encoding version \(leaf.change.change.version) (signed by site \(commit.signer.siteID.short))")
            }
        }
        return Bundle(header: header, checksum: checksum, commits: commits, sync: sync)
    }
}
