public import Foundation
public import GFMDCore
package import GFMDStore
public import Logging

/// One participant's local replica: a folder holding the SQLite database
/// (`replica.sqlite`) and the site's private key (`site.key`).
///
/// Every local action is one signed commit applied through the same path as
/// changes received from peers, in one transaction.
public final class Replica: Sendable {
    /// The database file's name inside the replica folder.
    public static let databaseName = "replica.sqlite"

    /// How a replica is opened.
    public enum Access: Sendable {
        /// To read and write: the site key must be there.
        case readWrite
        /// To read only: nothing is written, the folder may be read-only and
        /// the site key missing (a copy handed to an auditor).
        case readOnly
    }

    /// How long a write waits for another process's write, in seconds, by default.
    public static let defaultLockTimeout = ReplicaStore.defaultLockTimeout

    /// The replica's folder.
    public let directory: URL
    /// Who this replica is.
    public let identity: StoredIdentity
    let store: ReplicaStore
    /// The site's signing key; nil on a replica opened read-only without
    /// one (an auditor's copy need not hold the laptop's private key).
    private let siteKey: SiteSigningKey?
    /// The decryption key derived from the site key (an X25519 scalar
    /// multiplication), once: each bundle opened needs it.
    let decryptionKey: DecryptionKey?
    /// The secretariat's root key, on the replica that holds it.
    let rootKey: SiteSigningKey?
    let clock: any WallClock
    let logger: Logger

    private init(directory: URL, store: ReplicaStore, key: SiteSigningKey?, rootKey: SiteSigningKey?, identity: StoredIdentity,
                 clock: any WallClock, logger: Logger) {
        self.directory = directory
        self.store = store
        self.siteKey = key
        decryptionKey = key?.decryptionKey
        self.rootKey = rootKey
        self.identity = identity
        self.clock = clock
        self.logger = logger
    }

    /// Creates a replica in `directory` (made if missing) for `participant`,
    /// with a new site key. It must be enrolled (``enroll(_:)``) before it edits
    /// or applies bundles.
    ///
    /// - Parameters:
    ///   - author: the name recorded on changes made here.
    /// - Throws: ``ReplicaError`` when the folder already holds a replica.
    public static func create(
        at directory: URL, participant: ParticipantCode, author: String,
        clock: any WallClock = SystemClock(), logger: Logger = Logger(label: "gfmd")
    ) throws -> Replica {
        try create(at: directory, participant: participant, author: author, rootKey: nil, clock: clock, logger: logger)
    }

    static func create(
        at directory: URL, participant: ParticipantCode, author: String, rootKey: SiteSigningKey?,
        clock: any WallClock, logger: Logger
    ) throws -> Replica {
        let database = directory.appendingPathComponent(databaseName)
        guard !FileManager.default.fileExists(atPath: database.path) else {
            throw ReplicaError(.alreadyExists, "\(directory.path) already holds a replica")
        }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory.path, isDirectory: &isFolder), !isFolder.boolValue {
            throw ReplicaError(.alreadyExists, "\(directory.path) is a file, not a folder: give another --replica, or move the file")
        }
        let author = try TextInput.normalise(author, field: "the author name", multiline: false)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let key = SiteSigningKey()
        try SiteKeyFile.write(key, in: directory)
        if let rootKey { try SiteKeyFile.write(rootKey, in: directory, name: SiteKeyFile.rootName) }
        let store = try ReplicaStore(path: database.path, logger: logger)
        let identity = StoredIdentity(publicKey: key.publicKey, participant: participant.rawValue, author: author)
        try store.write { writer in
            try writer.initialise(identity)
            _ = try writer.open(at: place(of: database))
        }
        return Replica(directory: directory, store: store, key: key, rootKey: rootKey, identity: identity, clock: clock, logger: logger)
    }

    /// Opens the replica in `directory`.
    ///
    /// - Parameter access: `.readOnly` for commands that only read: nothing
    ///   is written, the folder may be read-only, and the site key may be
    ///   missing (a copy handed to an auditor).
    /// - Throws: ``ReplicaError`` when there is no replica there or its key
    ///   is missing (for `.readWrite`) or belongs to another replica.
    ///   `lockTimeout` is how long a write waits for another process's
    ///   (then ``StoreError/Code/locked``).
    public static func open(
        at directory: URL, access: Access = .readWrite, clock: any WallClock = SystemClock(),
        logger: Logger = Logger(label: "gfmd"), lockTimeout: Double = Replica.defaultLockTimeout
    ) throws -> Replica {
        let database = directory.appendingPathComponent(databaseName)
        guard FileManager.default.fileExists(atPath: database.path) else {
            throw ReplicaError(.noReplica, "there is no replica in \(directory.path): create one with `gfmd init`")
        }
        let store = try ReplicaStore(path: database.path, access: access == .readOnly ? .readOnly : .readWrite, logger: logger, lockTimeout: lockTimeout)
        guard let identity = try store.read({ try $0.identity() }) else {
            throw ReplicaError(.noReplica, "the replica in \(directory.path) was never initialised: run `gfmd init`")
        }
        // A reader may lack the key, or the right to read it: it signs nothing.
        var key = access == .readOnly ? try? SiteKeyFile.read(in: directory) : try SiteKeyFile.read(in: directory)
        if let old = key, old.publicKey != identity.publicKey, access == .readWrite,
           let next = try SiteKeyFile.readNext(in: directory), next.publicKey == identity.publicKey {
            // A move to a new site stopped between the database and the key file: finish it.
            try SiteKeyFile.promoteNext(in: directory)
            key = next
        }
        if let key, key.publicKey != identity.publicKey {
            throw ReplicaError(.keyFile, "the site key in \(directory.path) does not belong to this replica")
        }
        let rootKey = access == .readOnly ? nil : try SiteKeyFile.readRoot(in: directory)
        // Read first: only a folder found somewhere new writes.
        if access == .readWrite, try store.read({ try $0.place() }) != place(of: database),
           try store.write({ try $0.open(at: place(of: database)) }) {
            logger.notice("this replica folder was copied, moved or restored: new text is numbered apart from the other copy's")
        }
        return Replica(directory: directory, store: store, key: key, rootKey: rootKey, identity: identity, clock: clock, logger: logger)
    }

    /// Where the database `file` is: this computer, its real path, and its
    /// device and inode, which a copy or a restored backup does not share.
    private static func place(of file: URL) -> String {
        var info = stat()
        let node = stat(file.path, &info) == 0 ? "\(info.st_dev):\(info.st_ino)" : "?"
        return [ProcessInfo.processInfo.hostName, file.resolvingSymlinksInPath().path, node].joined(separator: "\n")
    }

    /// The site's signing key, for a replica opened to write.
    var key: SiteSigningKey {
        get throws {
            guard let siteKey else {
                throw ReplicaError(.keyFile, "this replica was opened to read only, without its site key (\(SiteKeyFile.name)): nothing can be signed")
            }
            return siteKey
        }
    }

    /// The site's id.
    public var siteID: SiteID { identity.siteID }

    /// Reads the replica's store in one consistent transaction (for this
    /// library and its tests; others ask the replica's own methods).
    package func read<T>(_ body: (StoreReader) throws -> T) throws -> T {
        try store.read(body)
    }

    /// The current wall-clock time as an ISO 8601 string.
    var nowISO8601: String {
        HybridTimestamp(milliseconds: clock.nowMilliseconds(), counter: 0).iso8601
    }
}
