import Crypto
import Foundation
public import GFMDCore

/// The recipients of a sealed bundle (format version 6, `Protocol/bundle.md`,
/// "Sealed bodies"): the participant it is for, and for each of its sites the
/// bundle's content key sealed with HPKE to the site's encryption key. Anyone
/// can read it, and check the file's checksum and signature; only those
/// sites can open the body.
public struct BundleSeal: Sendable, Hashable {
    /// The content key sealed to one site.
    public struct WrappedKey: Sendable, Hashable {
        /// The site that can open it.
        public let site: SiteID
        /// HPKE's encapsulated key (32 bytes).
        let encapsulated: [UInt8]
        /// The content key sealed by HPKE, with its tag (48 bytes).
        let wrapped: [UInt8]
    }

    /// The participant the bundle is for.
    public let participant: String
    /// One wrapped key per recipient site, by site id.
    public let keys: [WrappedKey]

    /// The sites that can open the bundle.
    public var sites: [SiteID] { keys.map(\.site) }

    /// The HPKE suite: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305.
    static var suite: HPKE.Ciphersuite { .Curve25519_SHA256_ChachaPoly }
    /// HPKE's info, the same for every wrapped key.
    static let info = Data("gfmd bundle key v1".utf8)
    /// The most recipients a header may name.
    static let maximumRecipients = 4096
    static let encapsulatedSize = 32, wrappedSize = 48, contentKeySize = 32, tagSize = 16

    /// A new content key sealed to each of `recipients`.
    static func seal(for recipients: SealRecipients) -> (seal: BundleSeal, contentKey: SymmetricKey) {
        let contentKey = SymmetricKey(size: .bits256)
        let keys = recipients.sites.map { recipient -> WrappedKey in
            // Sealing to a valid X25519 key cannot fail.
            var sender = try! HPKE.Sender(recipientKey: recipient.key.agreementKey, ciphersuite: suite, info: info)
            let wrapped = try! contentKey.withUnsafeBytes { try sender.seal(Array($0), authenticating: recipient.site.bytes) }
            return WrappedKey(site: recipient.site, encapsulated: Array(sender.encapsulatedKey), wrapped: Array(wrapped))
        }
        return (BundleSeal(participant: recipients.participant, keys: keys), contentKey)
    }

    /// The content key, opened with `key`, the decryption key of site `site`.
    ///
    /// - Throws: ``BundleError`` when the bundle names no key of `site`
    ///   (it says for whom it is), or when that key does not open.
    func contentKey(for site: SiteID, with key: DecryptionKey) throws(BundleError) -> SymmetricKey {
        guard let entry = keys.first(where: { $0.site == site }) else {
            throw BundleError(.notForThisSite, "this bundle is for \(participant) (sealed to site\(keys.count == 1 ? "" : "s") \(keys.map(\.site.short).joined(separator: ", "))); this site (\(site.short)) cannot open it, and nothing was applied")
        }
        do {
            var recipient = try HPKE.Recipient(privateKey: key.agreementKey, ciphersuite: Self.suite, info: Self.info,
                                               encapsulatedKey: Data(entry.encapsulated))
            let opened = try recipient.open(entry.wrapped, authenticating: site.bytes)
            guard opened.count == Self.contentKeySize else { throw BundleError(.cannotOpen, "") }
            return SymmetricKey(data: opened)
        } catch {
            throw BundleError(.cannotOpen, "this bundle names site \(site.short) among its recipients, but its key does not open with this site's key: it was sealed to another key, or altered before it was signed")
        }
    }

    /// The body sealed with `contentKey` (ChaCha20-Poly1305, zero nonce: each key seals one body), the header bytes authenticated.
    static func encrypt(_ compressed: [UInt8], with contentKey: SymmetricKey, header: [UInt8]) -> [UInt8] {
        // A 12-byte nonce is always valid.
        let box = try! ChaChaPoly.seal(compressed, using: contentKey, nonce: try! ChaChaPoly.Nonce(data: Data(count: 12)), authenticating: header)
        return Array(box.ciphertext) + Array(box.tag)
    }

    /// The compressed body of `sealed` (ciphertext then tag).
    static func decrypt(_ sealed: ArraySlice<UInt8>, with contentKey: SymmetricKey, header: ArraySlice<UInt8>) throws(BundleError) -> [UInt8] {
        do {
            let box = try ChaChaPoly.SealedBox(nonce: try ChaChaPoly.Nonce(data: Data(count: 12)),
                                               ciphertext: sealed.dropLast(tagSize), tag: sealed.suffix(tagSize))
            return Array(try ChaChaPoly.open(box, using: contentKey, authenticating: header))
        } catch {
            throw BundleError(.corruptBody, "the sealed body does not authenticate under its content key: it was altered before it was signed")
        }
    }

    /// Writes the seal: participant, count, then each site, encapsulated and wrapped key.
    func write(to writer: inout ByteWriter) {
        writer.write(byte: UInt8(participant.utf8.count))
        writer.write(raw: Array(participant.utf8))
        writer.write(uint16BigEndian: UInt16(keys.count))
        for key in keys {
            writer.write(raw: key.site.bytes)
            writer.write(raw: key.encapsulated)
            writer.write(raw: key.wrapped)
        }
    }

    /// Reads a seal written by ``write(to:)``.
    static func read(from reader: inout ByteReader) throws(BundleError) -> BundleSeal {
        let truncated = BundleError(.truncated, "the file is truncated: it ends inside the bundle header")
        guard let length = try? reader.readByte("seal participant length"),
              let participantBytes = try? reader.readBytes(Int(length), "seal participant"),
              let count = try? reader.readUInt16BigEndian("recipient count") else { throw truncated }
        guard length > 0, let participant = String(validating: participantBytes, as: UTF8.self) else {
            throw BundleError(.malformedHeader, "the sealed bundle's header names an empty or invalid (not UTF-8) participant")
        }
        guard count > 0, Int(count) <= maximumRecipients else {
            throw BundleError(.malformedHeader, "the sealed bundle's header names \(count) recipients (1 to \(maximumRecipients))")
        }
        var keys: [WrappedKey] = []
        for _ in 0..<count {
            guard let site = try? reader.readBytes(16, "recipient site"), let encapsulated = try? reader.readBytes(encapsulatedSize, "encapsulated key"),
                  let wrapped = try? reader.readBytes(wrappedSize, "wrapped key") else { throw truncated }
            keys.append(WrappedKey(site: SiteID(bytes: site), encapsulated: Array(encapsulated), wrapped: Array(wrapped)))
        }
        guard zip(keys, keys.dropFirst()).allSatisfy({ $0.site < $1.site }) else {
            throw BundleError(.malformedHeader, "the sealed bundle's recipients are not in strictly ascending site order")
        }
        return BundleSeal(participant: participant, keys: keys)
    }
}
