import Foundation
import GFMDCore

/// A private key on disk, readable by its owner only: the site's key
/// (`site.key`) beside the database, and on the secretariat's first replica the
/// root key (`root.key`) that signs certificates.
///
/// The file holds one line, `gfmd-site-key-v1 <64 hex digits>`, the key's seed.
enum SiteKeyFile {
    static let name = "site.key"
    static let rootName = "root.key"
    /// The key a replica moving to a new site (`gfmd rekey`) will sign with once enrolled.
    static let nextName = "site.key.next"
    private static let tag = "gfmd-site-key-v1"

    static func write(_ key: SiteSigningKey, in directory: URL, name: String = name) throws {
        let url = directory.appendingPathComponent(name)
        let contents = "\(tag) \(Hex.encode(key.rawRepresentation))\n"
        guard FileManager.default.createFile(
            atPath: url.path, contents: Data(contents.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ReplicaError(.keyFile, "cannot write the site key \(url.path)")
        }
    }

    static func read(in directory: URL, name: String = name) throws -> SiteSigningKey {
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

extension SiteKeyFile {
    /// The root key in `directory`, if this replica holds it.
    static func readRoot(in directory: URL) throws -> SiteSigningKey? {
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent(rootName).path) else { return nil }
        return try read(in: directory, name: rootName)
    }
}

extension SiteKeyFile {
    /// The key of the new site this replica asked to move to, if any.
    static func readNext(in directory: URL) throws -> SiteSigningKey? {
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent(nextName).path) else { return nil }
        return try read(in: directory, name: nextName)
    }

    /// Makes the next key the site key, replacing the old one (a rename).
    static func promoteNext(in directory: URL) throws {
        guard rename(directory.appendingPathComponent(nextName).path, directory.appendingPathComponent(name).path) == 0 else {
            throw ReplicaError(.keyFile, "cannot install the new site key in \(directory.path): \(String(cString: strerror(errno)))")
        }
    }
}
