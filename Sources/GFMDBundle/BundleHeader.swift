public import GFMDCore

/// The unencrypted, signed header of a bundle file (`Protocol/bundle.md`).
public struct BundleHeader: Sendable, Hashable {
    /// The file magic, "GFMDBNDL".
    public static let magic: [UInt8] = Array("GFMDBNDL".utf8)
    /// The format version this build writes for a plain bundle: 5, whose
    /// body may carry a sync section. A bundle of format version N ≥ 3
    /// carries changes of encoding versions up to 3; versions 1 and 2, up to
    /// their own.
    public static let currentVersion: UInt16 = 5
    /// The format version of a sealed bundle: version 5's, with the
    /// recipients in the header and the compressed body encrypted.
    public static let sealedVersion: UInt16 = 6
    /// The format versions this build reads.
    public static let readableVersions: ClosedRange<UInt16> = 1...6
    /// The first format version whose header carries the sender's certificate.
    static let certificateVersion: UInt16 = 4
    /// The first version whose body may carry a sync section (`Protocol/sync.md`).
    static let syncVersion: UInt16 = 5
    /// The newest change encoding a bundle of format `version` may carry.
    static func newestChangeVersion(in version: UInt16) -> UInt8 { UInt8(min(version, 3)) }
    /// Bytes of the checksum and signature that end the file.
    static let trailerSize = 32 + 64

    /// The format version.
    public let version: UInt16
    /// The key of the replica that made the bundle.
    public let sender: SitePublicKey
    /// The participant the sender acts for.
    public let senderParticipant: String
    /// When the bundle was made, on the sender's clock.
    public let created: HybridTimestamp
    /// How many changes the body carries.
    public let changeCount: Int
    /// The size of the inflated body.
    public let bodySize: Int
    /// The size of the compressed body.
    public let compressedSize: Int
    /// The sender's certificate, as it carried it (format version 4; nil
    /// when it carried none, or in older versions): a receiver that does
    /// not hold it yet can check who sent the file before inflating it.
    public let senderCertificate: Certificate?
    /// For whom the bundle is sealed (format version 6); nil: a plain bundle.
    public let seal: BundleSeal?

    /// The header's encoding.
    var encoded: [UInt8] {
        var writer = ByteWriter(capacity: 96)
        writer.write(raw: Self.magic)
        writer.write(uint16BigEndian: version)
        writer.write(uint16BigEndian: 0)
        writer.write(raw: sender.rawRepresentation)
        writer.write(byte: UInt8(senderParticipant.utf8.count))
        writer.write(raw: Array(senderParticipant.utf8))
        writer.write(uint64BigEndian: created.rawValue)
        writer.write(uint32BigEndian: UInt32(changeCount))
        writer.write(uint64BigEndian: UInt64(bodySize))
        writer.write(uint64BigEndian: UInt64(compressedSize))
        if version >= Self.certificateVersion {
            let certificate = senderCertificate?.encoded ?? []
            writer.write(uint16BigEndian: UInt16(certificate.count))
            writer.write(raw: certificate)
        }
        if version >= Self.sealedVersion, let seal { seal.write(to: &writer) }
        return writer.bytes
    }

    /// The smallest header: magic, version, flags, key, a one-byte participant and the fixed fields.
    static let minimumSize = 8 + 2 + 2 + 32 + 1 + 1 + 8 + 4 + 8 + 8

    /// Checks that `file` starts with the magic and a version this build reads.
    ///
    /// - Throws: ``BundleError`` for another kind of file, another version, or
    ///   a file too short to tell.
    static func checkMagicAndVersion(_ file: [UInt8]) throws(BundleError) {
        try checkMagicAndVersion(file: ByteReader(file))
    }

    private static func checkMagicAndVersion(file reader: ByteReader) throws(BundleError) {
        var reader = reader
        let truncated = BundleError(.truncated, "the file is truncated: it ends inside the bundle header")
        guard let magic = try? reader.readBytes(min(8, reader.remaining), "magic"), Array(magic) == Array(Self.magic.prefix(magic.count)) else {
            throw BundleError(.notABundle, "this file is not a gfmd bundle (it does not start with GFMDBNDL)")
        }
        guard magic.count == 8, let version = try? reader.readUInt16BigEndian("version") else { throw truncated }
        guard Self.readableVersions.contains(version) else {
            throw BundleError(.unsupportedVersion,
                "the bundle is in format version \(version); this gfmd reads versions \(Self.readableVersions.lowerBound) to \(Self.readableVersions.upperBound)\(version > Self.currentVersion ? ": update gfmd to apply it" : "")")
        }
    }

    /// Reads and checks a header from the start of `file`; `reader` is left
    /// at the first byte of the compressed body.
    static func read(from reader: inout ByteReader, fileSize: Int, limits: BundleLimits) throws(BundleError) -> BundleHeader {
        let truncated = BundleError(.truncated, "the file is truncated: it ends inside the bundle header")
        try checkMagicAndVersion(file: reader)
        guard (try? reader.readBytes(8, "magic")) != nil, let version = try? reader.readUInt16BigEndian("version") else {
            throw truncated
        }
        guard let flags = try? reader.readUInt16BigEndian("flags"), let keyBytes = try? reader.readBytes(32, "sender key"),
              let participantLength = try? reader.readByte("participant length"),
              let participantBytes = try? reader.readBytes(Int(participantLength), "participant"),
              let created = try? reader.readUInt64BigEndian("created"),
              let changeCount = try? reader.readUInt32BigEndian("change count"),
              let bodySize = try? reader.readUInt64BigEndian("body size"),
              let compressedSize = try? reader.readUInt64BigEndian("compressed size")
        else { throw truncated }
        guard flags == 0 else {
            throw BundleError(.unsupportedVersion, "the bundle uses flags (\(flags)) this gfmd does not know: update gfmd to apply it")
        }
        guard let sender = try? SitePublicKey(rawRepresentation: keyBytes) else {
            throw BundleError(.malformedHeader, "the bundle header holds an invalid sender key")
        }
        guard participantLength > 0, let participant = String(validating: participantBytes, as: UTF8.self) else {
            throw BundleError(.malformedHeader, "the bundle header holds an empty or invalid (not UTF-8) sender participant")
        }
        var certificate: Certificate?
        if version >= Self.certificateVersion {
            guard let length = try? reader.readUInt16BigEndian("certificate length"),
                  let bytes = try? reader.readBytes(Int(length), "sender certificate") else { throw truncated }
            if length > 0 {
                do {
                    certificate = try Certificate(decoding: Array(bytes))
                } catch {
                    throw BundleError(.malformedHeader, "the sender's certificate in the bundle header is malformed: \(error)")
                }
            }
        }
        let seal = version >= Self.sealedVersion ? try BundleSeal.read(from: &reader) : nil
        let expectedCompressed = fileSize - reader.offset - trailerSize
        guard expectedCompressed >= 0, compressedSize == UInt64(expectedCompressed) else {
            throw BundleError(.truncated,
                "the file is truncated or has extra bytes: its header declares \(compressedSize) compressed bytes, the file holds \(max(expectedCompressed, 0))")
        }
        guard changeCount <= limits.maximumChangeCount else {
            throw BundleError(.tooLarge, "the bundle declares \(changeCount) changes, more than the limit of \(limits.maximumChangeCount)")
        }
        guard bodySize <= UInt64(limits.maximumBodySize) else {
            throw BundleError(.tooLarge, "the bundle body declares \(bodySize) bytes, more than the limit of \(limits.maximumBodySize)")
        }
        guard bodySize <= UInt64(expectedCompressed) * UInt64(BundleLimits.maximumCompressionRatio) + 1024 else {
            throw BundleError(.decompressionBomb,
                "the bundle body declares \(bodySize) bytes from \(expectedCompressed) compressed bytes, more than deflate can produce: refused as a decompression bomb")
        }
        return BundleHeader(
            version: version, sender: sender, senderParticipant: participant,
            created: HybridTimestamp(rawValue: created), changeCount: Int(changeCount),
            bodySize: Int(bodySize), compressedSize: Int(compressedSize), senderCertificate: certificate, seal: seal)
    }
}
