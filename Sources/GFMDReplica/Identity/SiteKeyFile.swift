import Foundation
import GFMDCore

/// The site's private key on disk: `site.key` beside the database, readable
/// by its owner only.
///
/// The file holds one line, `gfmd-site-key-v1 <64 hex digits>`, the key's seed.
enum SiteKeyFile {
    static let name = "site.key"
    private static let tag = "gfmd-site-key-v1"

    static func write(_ key: SiteSigningKey, in directory: URL) throws {
        let url = directory.appendingPathComponent(name)
        let contents = "\(tag) \(Hex.encode(key.rawRepresentation))\n"
        guard FileManager.default.createFile(
            atPath: url.path, contents: Data(contents.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ReplicaError(.keyFile, "cannot write the site key \(url.path)")
        }
    }

    static func read(in directory: URL) throws -> SiteSigningKey {
        let url = directory.appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ReplicaError(.keyFile, "the site key \(url.path) is missing or unreadable")
        }
        let parts = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isWhitespace)
        guard parts.count == 2, parts[0] == tag, let seed = Hex.decode(String(parts[1])),
              let key = try? SiteSigningKey(rawRepresentation: seed) else {
            throw ReplicaError(.keyFile, "the site key \(url.path) is damaged")
        }
        return key
    }
}
